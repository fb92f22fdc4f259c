/** The one-pass multi-value search of the secret scan, against Buffer.indexOf as the reference. */
import fc from 'fast-check';
import { NeedleSet } from '../../src/lifecycle/snapshot/needle-search.js';
import { SecretInSnapshotError, SecretScan } from '../../src/lifecycle/snapshot/secret-scan.js';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The needle `NeedleSet.find` must report: the one whose match starts first (the lowest index among those starting there). */
function reference(hay: Buffer, needles: Buffer[]): number {
  let best = -1;
  let at = Infinity;
  needles.forEach((n, i) => {
    const p = hay.indexOf(n);
    if (p !== -1 && p < at) [best, at] = [i, p];
  });
  return best;
}

/** Small alphabets make partial matches and overlaps common. */
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a.map((b) => 97 + (b % 3))));

describe('NeedleSet', () => {
  it('finds a needle exactly when Buffer.indexOf does, and the first one in buffer order', () => {
    fc.assert(
      fc.property(fc.array(bytes(2, 12), { minLength: 1, maxLength: 6 }), bytes(0, 300), (needles, hay) => {
        const found = new NeedleSet(needles).find(hay);
        const expected = reference(hay, needles);
        if (expected === -1) expect(found).toBe(-1);
        else expect(hay.indexOf(needles[found]!)).toBe(hay.indexOf(needles[expected]!));
      }),
      { numRuns: 2000 },
    );
  });

  it('searches only within [from, to)', () => {
    const set = new NeedleSet([Buffer.from('secret')]);
    const hay = Buffer.from('xxsecretxx');
    expect(set.find(hay, 0, 8)).toBe(0);
    expect(set.find(hay, 0, 7)).toBe(-1);
    expect(set.find(hay, 3)).toBe(-1);
  });

  it('finds needles longer than the 255-byte window, and refuses one-byte needles', () => {
    const long = Buffer.alloc(600, 'k');
    long[599] = 0x21;
    const hay = Buffer.concat([Buffer.alloc(1000, 'k'), long, Buffer.from('tail')]);
    expect(new NeedleSet([long, Buffer.from('abcdefgh')]).find(hay)).toBe(0);
    expect(new NeedleSet([long]).find(hay.subarray(0, hay.length - 5))).toBe(-1);
    expect(() => new NeedleSet([Buffer.from('a')])).toThrow(RangeError);
  });
});

describe('SecretScan over arbitrary chunk boundaries', () => {
  /** A one-file ustar archive by hand (no pax header): a 512-byte header, the data, padding. */
  function oneFileTar(name: string, data: Buffer): Buffer {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('0', 156);
    h.write('ustar\u000000', 257, 'latin1');
    return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]);
  }

  it('never misses a value, wherever the stream is cut, with several values of different lengths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 6, maxLength: 70 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }),
        async (values, pick, at, sizes) => {
          const chosen = values[pick % values.length]!;
          const before = Buffer.alloc(at, 'z');
          const archive = oneFileTar('dir/file.txt', Buffer.concat([before, Buffer.from(chosen), Buffer.from('\nend')]));
          const chunks: Buffer[] = [];
          for (let off = 0, i = 0; off < archive.length; i++) {
            const n = sizes[i % sizes.length]!;
            chunks.push(archive.subarray(off, off + n));
            off += n;
          }
          const scan = new SecretScan(values.map((value, i) => ({ name: `S${i}`, value })));
          const error = await pipeline(Readable.from(chunks), scan, new Writable({ write: (_c, _e, cb) => cb() })).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(SecretInSnapshotError);
          expect((error as SecretInSnapshotError).file).toBe('dir/file.txt');
        },
      ),
      { numRuns: 300 },
    );
  });
});
