/**
 * The stand-in's in-memory repositories (demo/github/content/memory.ts) answer history
 * questions by walks bounded by what a push changed; these properties check them against
 * the definitions (sets of commits reachable from a ref) on random histories with merges
 * and branches.
 */
import fc from 'fast-check';
import { MemoryRepoContent } from '../../demo/github/content/memory.js';

/** A random history: each commit's parents are earlier commits (one, or two for a merge). */
const histories = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.constantFrom('main', 'topic')), { minLength: 1, maxLength: 25 });

function build(steps: Array<[number, number, boolean, string]>) {
  const repo = new MemoryRepoContent();
  const shas: string[] = [];
  const parents = new Map<string, string[]>();
  steps.forEach(([a, b, merge, branch], i) => {
    const ps = shas.length === 0 ? [] : [...new Set(merge ? [shas[a % shas.length]!, shas[b % shas.length]!] : [shas[a % shas.length]!])];
    const sha = repo.commit({ files: { 'README.md': `step ${i}`, [`f${i % 3}`]: String(b) }, parents: ps, branch, message: `c${i}` });
    shas.push(sha);
    parents.set(sha, ps);
  });
  const reachable = (sha: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...parents.get(s)!);
    }
    return seen;
  };
  return { repo, shas, reachable };
}

describe('in-memory repository history', () => {
  it('logCommits lists what the head reaches and no excluded ref reaches, newest first', async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.nat(), fc.array(fc.nat(), { maxLength: 3 }), async (steps, h, ex) => {
        const { repo, shas, reachable } = build(steps);
        const head = shas[h % shas.length]!;
        const exclude = ex.map((e) => shas[e % shas.length]!);
        const excluded = new Set(exclude.flatMap((e) => [...reachable(e)]));
        const expected = shas.filter((s) => reachable(head).has(s) && !excluded.has(s)).reverse();
        const listed = (await repo.logCommits(head, { exclude })).map((c) => c.sha);
        expect(listed).toEqual(expected);
        expect(await repo.countCommits(exclude[0] ?? null, head)).toBe(
          shas.filter((s) => reachable(head).has(s) && !(exclude[0] && reachable(exclude[0]).has(s))).length,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('isAncestor is reachability, by sha or branch name', async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.nat(), fc.nat(), async (steps, a, d) => {
        const { repo, shas, reachable } = build(steps);
        const ancestor = shas[a % shas.length]!;
        const descendant = shas[d % shas.length]!;
        expect(await repo.isAncestor(ancestor, descendant)).toBe(reachable(descendant).has(ancestor));
        const main = await repo.resolveCommit('main');
        if (main) expect(await repo.isAncestor(ancestor, 'main')).toBe(reachable(main).has(ancestor));
      }),
      { numRuns: 200 },
    );
  });

  it('sizeKiB counts every file of every commit', async () => {
    const repo = new MemoryRepoContent();
    const big = 'x'.repeat(3000);
    repo.commit({ files: { a: big, b: 'y' } });
    repo.commit({ files: { a: big, b: 'z'.repeat(2000) } });
    expect(await repo.sizeKiB()).toBe(Math.ceil((3000 + 1 + 3000 + 2000) / 1024));
  });
});
