/**
 * Workflow commands written to stdout (`::name key=value,…::message`), as the
 * Actions runner parses them, with GitHub's escaping: in the message `%25` `%0D`
 * `%0A`; in property values also `%3A` and `%2C`.
 */

/** One parsed workflow command. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%25/g, '%');
}

/** Parses one output line; `null` when it is not a workflow command. */
export function parseCommand(line: string): WorkflowCommand | null {
  const m = /^\s*::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line.replace(/\r$/, ''));
  if (!m) return null;
  const properties: Record<string, string> = {};
  if (m[2]) {
    for (const pair of m[2].split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command: m[1]!.toLowerCase(), properties, message: unescapeData(m[3]!) };
}

/**
 * Parses a `GITHUB_OUTPUT` / `GITHUB_ENV` file: `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks.
 */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`Matching delimiter not found '${delim}'`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Invalid format '${line}'`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
