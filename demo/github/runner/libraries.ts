/**
 * GitHub's own workflow libraries, loaded once: `@actions/workflow-parser` (workflow and
 * action files read against GitHub's schemas). Its `dist` imports its schema JSON files
 * without `with { type: 'json' }`, which Node refuses (actions/languageservices#387); a
 * module hook serves exactly those files as modules, and the package is imported after
 * it is registered. Under Jest, which loads modules itself, the hook is never consulted.
 */
import { register } from 'node:module';

type WorkflowParser = typeof import('@actions/workflow-parser');
type ActionParser = typeof import('@actions/workflow-parser/actions/index');

const HOOK = `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.min.json') && url.includes('/@actions/workflow-parser/dist/')) {
    return { format: 'module', shortCircuit: true, source: 'export default ' + readFileSync(fileURLToPath(url), 'utf8') + ';' };
  }
  return nextLoad(url, context);
}`;

/** Once per global, even when this module is loaded again (Jest's per-file globals each add one copy, which Jest never consults). */
const HOOKED = Symbol.for('prebuilds-for-github.workflow-parser-json-hook');
let workflows: Promise<WorkflowParser> | null = null;
let actions: Promise<ActionParser> | null = null;

function hook(): void {
  const g = globalThis as { [HOOKED]?: boolean };
  if (g[HOOKED]) return;
  g[HOOKED] = true;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}

/** `@actions/workflow-parser` (parseWorkflow, convertWorkflowTemplate, …). */
export function workflowParser(): Promise<WorkflowParser> {
  hook();
  workflows ??= import('@actions/workflow-parser');
  return workflows;
}

/** `@actions/workflow-parser/actions` (parseAction, convertActionTemplate). */
export function actionParser(): Promise<ActionParser> {
  hook();
  actions ??= import('@actions/workflow-parser/actions/index');
  return actions;
}
