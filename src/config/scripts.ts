/**
 * Finds the repository files a command runs (SPEC.md rule 1: "the repository scripts
 * its prebuild commands run (`bash .devcontainer/setup.sh`)"). A heuristic over
 * shell words, deliberately simple: for each simple command (split at `&&`, `||`,
 * `;`, `|`, `&`, newlines, parentheses), skip variable assignments and wrappers
 * (`sudo`, `env`, `exec`, `time`, `nohup`, shell keywords), then take
 * - the command word itself when it is a path (`./scripts/bootstrap`, `.devcontainer/setup.sh`);
 * - for an interpreter (`bash`, `sh`, `node`, `python3`, `ruby`, `source`, …) the first
 *   non-option argument (`node scripts/setup.js`); `-c STRING` is scanned as a
 *   command itself (`sh -c ./x.sh`); `python -m` and `node -e` end the scan.
 * Candidates are made repository-relative (a leading `${containerWorkspaceFolder}/`,
 * `${localWorkspaceFolder}/` or `$GITPOD_REPO_ROOT/` counts as the root); the caller
 * keeps those that exist.
 */
import type { SingleCommand } from './model.js';
import { normalizeRepoPath } from './values.js';

const INTERPRETERS = new Set([
  'bash',
  'sh',
  'zsh',
  'dash',
  'ksh',
  'fish',
  'node',
  'nodejs',
  'python',
  'python2',
  'python3',
  'ruby',
  'perl',
  'php',
  'pwsh',
  'powershell',
  'deno',
  'bun',
  'tsx',
  'ts-node',
  'source',
  '.',
]);
const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nohup', 'command', 'nice', 'xargs']);
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'for']);
const ROOT_PREFIXES = [
  '${containerWorkspaceFolder}/',
  '${localWorkspaceFolder}/',
  '$GITPOD_REPO_ROOT/',
  '${GITPOD_REPO_ROOT}/',
  '$PWD/',
  '${PWD}/',
  '$GITHUB_WORKSPACE/',
  '${GITHUB_WORKSPACE}/',
];
/** Scanning stops after this many characters of one command (hostile input stays cheap). */
const MAX_SCAN = 200_000;

/** Splits shell text into simple commands of words (quotes removed). Not a full shell parser. */
export function shellSegments(text: string): string[][] {
  const src = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const segments: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endSegment = (): void => {
    endWord();
    if (words.length > 0) segments.push(words);
    words = [];
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      if (src[i + 1] !== '\n') {
        word += src[i + 1];
        inWord = true;
      }
      i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      word += src.slice(i + 1, end < 0 ? src.length : end);
      inWord = true;
      i = end < 0 ? src.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        word += src[j];
        j++;
      }
      inWord = true;
      i = j;
    } else if (c === '#' && !inWord) {
      while (i + 1 < src.length && src[i + 1] !== '\n') i++;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (';&|\n\r()`'.includes(c)) {
      endSegment();
    } else if (c === '$' && src[i + 1] === '(') {
      endSegment();
      i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  endSegment();
  return segments;
}

function toRepoPath(word: string): string | null {
  let w = word;
  for (const prefix of ROOT_PREFIXES) if (w.startsWith(prefix)) w = w.slice(prefix.length);
  if (w === '' || /[$*?[\]~{}]/.test(w) || w.startsWith('/')) return null;
  const n = normalizeRepoPath(w);
  return n === null || n === '.' ? null : n;
}

function baseName(word: string): string {
  const i = word.lastIndexOf('/');
  return i >= 0 ? word.slice(i + 1) : word;
}

/** Candidate script paths of one simple command (words already split). */
export function scriptsOfWords(words: readonly string[], depth = 0): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || KEYWORDS.has(w)) i++;
    else if (WRAPPERS.has(baseName(w))) {
      i++;
      while (i < words.length && words[i]!.startsWith('-')) i++;
    } else break;
  }
  const first = words[i];
  if (first === undefined) return out;
  const name = baseName(first);
  if (!INTERPRETERS.has(name)) {
    if (first.includes('/')) {
      const p = toRepoPath(first);
      if (p) out.push(p);
    }
    return out;
  }
  for (let j = i + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '-c' || arg === '-Command') {
      if (depth < 3 && words[j + 1] !== undefined) out.push(...scriptsOfText(words[j + 1]!, depth + 1));
      return out;
    }
    if (arg === '-m' || arg === '-e' || arg === '--eval' || arg === '-p') return out;
    if (arg.startsWith('-') || ((name === 'deno' || name === 'bun') && arg === 'run')) continue;
    const p = toRepoPath(arg);
    if (p) out.push(p);
    return out;
  }
  return out;
}

/** Candidate script paths of shell text (a `shell` command, or a script's content). */
export function scriptsOfText(text: string, depth = 0): string[] {
  return shellSegments(text).flatMap((words) => scriptsOfWords(words, depth));
}

/** Candidate script paths of a single command, deduplicated, in order of appearance. */
export function scriptCandidates(command: SingleCommand): string[] {
  const found = command.kind === 'shell' ? scriptsOfText(command.command) : scriptsOfWords(command.argv);
  return [...new Set(found)];
}

/** True when a file's content looks like a shell script (so its own calls are followed). */
export function isShellScript(path: string, content: string): boolean {
  if (/\.(sh|bash|zsh)$/.test(path)) return true;
  const firstLine = content.slice(0, 200).split('\n', 1)[0] ?? '';
  return /^#!.*\b(ba|z|da|k)?sh\b/.test(firstLine);
}
