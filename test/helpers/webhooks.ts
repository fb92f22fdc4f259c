import { createRequire } from 'node:module';
import type { FakeGitHub } from './fake-github.js';

const require = createRequire(import.meta.url);
const all = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{ name: string; examples: Array<Record<string, any>> }>;

/** A deep copy of the first @octokit/webhooks-examples payload of an event (and action) with an installation. */
function template(event: string, action?: string): Record<string, any> {
  const list = all.find((e) => e.name === event)!.examples;
  const found = list.find((p) => (!action || p.action === action) && p.installation) ?? list.find((p) => !action || p.action === action)!;
  return structuredClone(found);
}

function withRepo(p: Record<string, any>, gh: FakeGitHub): Record<string, any> {
  p.repository.name = gh.repo;
  p.repository.full_name = `${gh.owner}/${gh.repo}`;
  p.repository.default_branch = gh.defaultBranch;
  p.repository.owner.login = gh.owner;
  p.installation = { id: 42, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=' };
  return p;
}

/** A `push` payload: GitHub's example with this ref, before/after and commits. */
export function pushPayload(
  gh: FakeGitHub,
  o: { ref: string; before: string; after: string; commits?: Array<{ id: string; added?: string[]; modified?: string[]; removed?: string[] }>; deleted?: boolean },
): Record<string, any> {
  const p = withRepo(template('push'), gh);
  const commitTemplate = p.commits[0] ?? p.head_commit;
  const commits = (o.commits ?? [{ id: o.after, modified: ['README.md'] }]).map((c) => ({
    ...structuredClone(commitTemplate),
    id: c.id,
    tree_id: c.id,
    added: c.added ?? [],
    modified: c.modified ?? [],
    removed: c.removed ?? [],
  }));
  Object.assign(p, { ref: o.ref, before: o.before, after: o.after, created: false, deleted: !!o.deleted, forced: false, commits: o.deleted ? [] : commits, head_commit: o.deleted ? null : commits[commits.length - 1] });
  return p;
}

/** A `pull_request` payload from the same repository or a fork. */
export function pullRequestPayload(
  gh: FakeGitHub,
  o: { action: string; number: number; headRef: string; headSha: string; baseRef?: string; baseSha?: string; fork?: boolean },
): Record<string, any> {
  const p = withRepo(template('pull_request', 'opened'), gh);
  p.action = o.action;
  p.number = o.number;
  p.pull_request.number = o.number;
  p.pull_request.head.ref = o.headRef;
  p.pull_request.head.sha = o.headSha;
  p.pull_request.head.repo = { ...structuredClone(p.repository), full_name: o.fork ? `someone/${gh.repo}` : `${gh.owner}/${gh.repo}` };
  p.pull_request.base.ref = o.baseRef ?? gh.defaultBranch;
  p.pull_request.base.sha = o.baseSha ?? gh.branches.get(gh.defaultBranch) ?? o.headSha;
  p.pull_request.base.repo = structuredClone(p.repository);
  return p;
}

/** A `workflow_run` payload for a run the fake dispatched. */
export function workflowRunPayload(gh: FakeGitHub, runId: number, action: 'requested' | 'in_progress' | 'completed'): Record<string, any> {
  const p = withRepo(template('workflow_run', action === 'completed' ? 'completed' : 'requested'), gh);
  p.action = action;
  p.workflow_run = { ...p.workflow_run, ...gh.runBody(gh.runs.get(runId)!) };
  return p;
}

/** A `check_run` `rerequested` payload (the "Re-run" button). */
export function checkRunRerequested(gh: FakeGitHub, checkRunId: number): Record<string, any> {
  const p = withRepo(template('check_run', 'rerequested'), gh);
  const c = gh.checkRuns.get(checkRunId)!;
  Object.assign(p.check_run, { id: c.id, external_id: c.external_id, head_sha: c.head_sha, name: c.name });
  return p;
}

/** An `installation` `created` payload for the fake's repository. */
export function installationCreated(gh: FakeGitHub): Record<string, any> {
  const p = template('installation', 'created');
  p.installation.id = 42;
  p.repositories = [{ id: 1, node_id: 'R_1', name: gh.repo, full_name: `${gh.owner}/${gh.repo}`, private: false }];
  return p;
}
