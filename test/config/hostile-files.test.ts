/**
 * Hostile repositories on disk (the action and the CLI read the checkout): what
 * leaves the repository, what is not a regular file, what is too large or not UTF-8
 * is a clear problem — read before nothing hangs and nothing big is read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localFileSource, parseDevcontainer, resolveConfigurations } from '../../src/config/index.js';
import { inspectPath } from '../../src/config/inspect.js';
import { DEFAULT_MAX_FILE_BYTES, MAX_FILE_BYTES_ENV, UnreadableFileError, firstInvalidUtf8, maxFileBytesFromEnv } from '../../src/config/read-limits.js';

let root: string;
let n = 0;
function repo(files: Record<string, string | Buffer>): string {
  const dir = path.join(root, `repo${++n}`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
  }
  return dir;
}
const DC = '.devcontainer/devcontainer.json';
const resolve = (dir: string) => resolveConfigurations(localFileSource(dir), { defaultBranch: 'main' });

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hostile-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hostile files on disk', () => {
  it('refuses a devcontainer.json that is a symlink out of the repository, before reading it', async () => {
    const outside = path.join(root, 'secret.json');
    writeFileSync(outside, '{"image": "leaked"}');
    const dir = repo({});
    mkdirSync(path.join(dir, '.devcontainer'), { recursive: true });
    symlinkSync(outside, path.join(dir, DC));
    const r = await resolve(dir);
    expect(r.configurations).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ file: DC, line: 1, column: 1, message: expect.stringContaining('leaves the repository') })]);
    expect(JSON.stringify(r)).not.toContain('leaked');
  });

  it('refuses /dev/zero behind a symlink and a FIFO inside the repository, without hanging', async () => {
    const dir = repo({ '.devcontainer/devcontainer.json': '{"image": "x", "build": {"dockerfile": "Dockerfile"}}' });
    symlinkSync('/dev/zero', path.join(dir, '.devcontainer/Dockerfile'));
    const r = await resolve(dir);
    expect(r.problems).toEqual([expect.objectContaining({ file: DC, message: expect.stringMatching(/`\.devcontainer\/Dockerfile` leaves the repository/) })]);

    const fifo = repo({});
    mkdirSync(path.join(fifo, '.devcontainer'), { recursive: true });
    execFileSync('mkfifo', [path.join(fifo, DC)]);
    // No writer ever opens the FIFO: a blocking open or read would hang this test.
    const f = await resolve(fifo);
    expect(f.problems).toEqual([
      expect.objectContaining({ file: DC, message: '`.devcontainer/devcontainer.json` is a FIFO (named pipe), not a regular file' }),
    ]);
    const inspected = await inspectPath(path.join(fifo, DC));
    expect(inspected.problems[0]!.message).toContain('is a FIFO');
  });

  it('caps the size of files (1 MiB by default, configurable) and reads no more than the cap', async () => {
    const big = `{"image": "x", "onCreateCommand": "${'a'.repeat(DEFAULT_MAX_FILE_BYTES)}"}`;
    const dir = repo({ [DC]: big });
    const r = await resolve(dir);
    expect(r.problems).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/is 1 MiB, more than the 1 MiB limit for files the configuration reads \(PREBUILDS_MAX_CONFIG_FILE_BYTES raises it\)$/),
      }),
    ]);
    const raised = await resolveConfigurations(localFileSource(dir, { maxFileBytes: 2 * DEFAULT_MAX_FILE_BYTES }), { defaultBranch: 'main' });
    expect(raised.problems).toEqual([]);
    expect(raised.configurations).toHaveLength(1);
    const small = await resolveConfigurations(localFileSource(repo({ [DC]: '{"image": "x"}' }), { maxFileBytes: 10 }), { defaultBranch: 'main' });
    expect(small.problems[0]!.message).toContain('is 14 B, more than the 10 B limit');
    expect(maxFileBytesFromEnv({ [MAX_FILE_BYTES_ENV]: '2048' })).toBe(2048);
    expect(maxFileBytesFromEnv({ [MAX_FILE_BYTES_ENV]: 'lots' })).toBe(DEFAULT_MAX_FILE_BYTES);
    expect(maxFileBytesFromEnv({})).toBe(DEFAULT_MAX_FILE_BYTES);
  });

  it('reports invalid UTF-8 in a configuration file with its line and column', async () => {
    const bytes = Buffer.concat([Buffer.from('{\n  "image": "x",\n  "name": "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]);
    const r = await resolve(repo({ [DC]: bytes }));
    expect(r.problems).toEqual([
      { file: DC, line: 3, column: 15, message: '`.devcontainer/devcontainer.json` is not valid UTF-8 (byte 0xe9 at offset 32, line 3, column 15)' },
    ]);
    // A referenced script is only hashed: binary content is fine there.
    const withScript = await resolve(
      repo({ [DC]: '{"image": "x", "onCreateCommand": "bash .devcontainer/setup.sh"}', '.devcontainer/setup.sh': Buffer.from([0x23, 0xff, 0x0a]) }),
    );
    expect(withScript.problems).toEqual([]);
    expect(withScript.configurations[0]!.identityFiles).toContain('.devcontainer/setup.sh');
    // Reading without `strict` never throws for encoding.
    await expect(localFileSource(repo({ 'x.bin': Buffer.from([0xc3, 0x28]) })).read('x.bin')).resolves.toBe('\uFFFD(');
    await expect(localFileSource(repo({ 'x.bin': Buffer.from([0xc3, 0x28]) })).read('x.bin', { strict: true })).rejects.toBeInstanceOf(UnreadableFileError);
  });

  it('finds the first invalid UTF-8 byte as RFC 3629 defines it', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo €𝄞'))).toBe(Buffer.from('héllo €𝄞').length);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // truncated
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
  });

  it('warns about duplicate keys in JSON (the last value counts, as in the CLI)', () => {
    const r = parseDevcontainer(DC, '{\n  "image": "a",\n  "containerEnv": {"A": "1", "A": "2"},\n  "image": "b"\n}');
    expect(r.problems).toEqual([]);
    expect(r.environment!.image).toBe('b');
    expect(r.environment!.containerEnv).toEqual({ A: '2' });
    expect(r.warnings.map((w) => `${w.line}:${w.column} ${w.keyPath} ${w.message}`)).toEqual([
      '3:30 containerEnv.A duplicate key `A`: only its last value counts',
      '4:3 image duplicate key `image`: only its last value counts',
    ]);
  });

  it('treats a command named __proto__ like any other name', () => {
    const r = parseDevcontainer(
      DC,
      '{"image": "x", "onCreateCommand": {"__proto__": "echo p", "constructor": ["echo", "c"]}, "containerEnv": {"__proto__": "v"}}',
    );
    expect(r.problems).toEqual([]);
    const command = r.environment!.lifecycle.onCreateCommand!;
    expect(command.kind).toBe('parallel');
    const commands = (command as { commands: Record<string, unknown> }).commands;
    expect(Object.keys(commands)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(commands)).toBe(Object.prototype);
    expect(Object.keys(r.environment!.containerEnv)).toEqual(['__proto__']);
  });

  it('caps the number of prebuild entries', async () => {
    const entries = Array.from({ length: 101 }, (_, i) => `  - name: c${i}\n    devcontainer: ${DC}`).join('\n');
    const r = await resolve(repo({ '.github/prebuilds.yml': `prebuilds:\n${entries}\n`, [DC]: '{"image": "x"}' }));
    expect(r.configurations).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: '.github/prebuilds.yml',
        line: 2,
        column: 3,
        keyPath: 'prebuilds',
        message: '`prebuilds` has 101 entries; at most 100 configurations are allowed per repository',
      },
    ]);
  });
});
