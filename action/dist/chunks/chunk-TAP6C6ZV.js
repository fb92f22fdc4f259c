import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);

// src/lifecycle/snapshot/secret-scan.ts
import { Transform } from "node:stream";

// src/lifecycle/snapshot/needle-search.ts
var BLOCK_BYTES = 2;
var MAX_WINDOW = 255;
var NeedleSet = class {
  /** Length of the longest needle, bytes (a match spanning two buffers needs `maxLength - 1` bytes of overlap). */
  maxLength;
  needles;
  /** Window length: the shortest needle's, capped at {@link MAX_WINDOW}. */
  window;
  /** How far the window may move when its last block is the index. */
  shift = new Uint8Array(1 << 16);
  /** For a block that ends some needle's window prefix: those needles. */
  candidates = /* @__PURE__ */ new Map();
  /**
   * @param needles the byte strings, each at least two bytes long
   * @throws RangeError for a needle shorter than two bytes
   */
  constructor(needles) {
    if (needles.some((n) => n.length < BLOCK_BYTES)) throw new RangeError(`NeedleSet: every needle must be at least ${BLOCK_BYTES} bytes long`);
    this.needles = needles;
    this.maxLength = needles.reduce((max, n) => Math.max(max, n.length), 0);
    this.window = Math.min(MAX_WINDOW, ...needles.map((n) => n.length));
    const m = this.window;
    this.shift.fill(m - BLOCK_BYTES + 1);
    needles.forEach((needle, index) => {
      for (let j = BLOCK_BYTES - 1; j < m; j++) {
        const block = needle[j - 1] << 8 | needle[j];
        const s = m - 1 - j;
        if (s < this.shift[block]) this.shift[block] = s;
        if (s === 0) {
          const list = this.candidates.get(block);
          if (list) list.push(index);
          else this.candidates.set(block, [index]);
        }
      }
    });
  }
  /**
   * Finds the first needle (in buffer order) lying wholly within `hay[from, to)`.
   * @returns the index of that needle in the constructor's list, or -1
   */
  find(hay, from = 0, to = hay.length) {
    if (this.needles.length === 0) return -1;
    const m = this.window;
    const shift = this.shift;
    let pos = from + m - 1;
    while (pos < to) {
      const block = hay[pos - 1] << 8 | hay[pos];
      const s = shift[block];
      if (s > 0) {
        pos += s;
        continue;
      }
      const start = pos - m + 1;
      for (const index of this.candidates.get(block)) {
        const needle = this.needles[index];
        if (start + needle.length <= to && needle.compare(hay, start, start + needle.length) === 0) return index;
      }
      pos += 1;
    }
    return -1;
  }
};

// src/lifecycle/snapshot/tar-header.ts
var BLOCK = 512;
function cString(buf, start, end) {
  const nul = buf.indexOf(0, start);
  return buf.toString("utf8", start, nul === -1 || nul > end ? end : nul);
}
function numberField(buf, start, length) {
  if (buf[start] & 128) {
    if (buf[start] === 255) return null;
    let n = buf[start] & 127;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + buf[i];
    return Number.isSafeInteger(n) ? n : null;
  }
  const text = buf.toString("latin1", start, start + length).replace(/^[ \0]+|[ \0]+$/g, "");
  if (!/^[0-7]*$/.test(text)) return null;
  return text === "" ? 0 : parseInt(text, 8);
}
function checksumOk(h) {
  const stored = numberField(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}
function paxRecords(data) {
  const out = /* @__PURE__ */ new Map();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(32, pos);
    const len = space === -1 ? NaN : Number(data.toString("latin1", pos, space));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length || data[pos + len - 1] !== 10) return null;
    const record = data.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq <= 0) return null;
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}
function headerName(h) {
  const name = cString(h, 0, 100);
  const prefix = h.toString("latin1", 257, 263).startsWith("ustar") ? cString(h, 345, 500) : "";
  return prefix ? `${prefix}/${name}` : name;
}

// src/lifecycle/snapshot/secret-scan.ts
var MIN_SCANNED_LENGTH = 6;
var SecretInSnapshotError = class extends Error {
  /**
   * @param file workspace-relative path of the file
   * @param secret the secret's name
   */
  constructor(file, secret) {
    super(
      `Refusing to save the snapshot: ${file} contains the value of the secret ${secret}. Lifecycle commands must not write secrets into the workspace (snapshots are readable by every workflow that can read the store): pass them through the environment, or write them outside the snapshot paths.`
    );
    this.file = file;
    this.secret = secret;
    this.name = "SecretInSnapshotError";
  }
  file;
  secret;
};
function scannable(secrets) {
  const seen = /* @__PURE__ */ new Set();
  return secrets.filter((s) => s.value.length >= MIN_SCANNED_LENGTH && !seen.has(s.value) && Boolean(seen.add(s.value)));
}
var FILE_TYPES = /* @__PURE__ */ new Set(["0", "\0", "7"]);
var META_TYPES = /* @__PURE__ */ new Set(["x", "g", "L", "K"]);
var EMPTY = Buffer.alloc(0);
var ZERO_BLOCK = Buffer.alloc(BLOCK);
function octalSize(h) {
  let n = 0;
  let i = 124;
  for (; i < 136; i++) {
    const c = h[i];
    if (c < 48 || c > 55) break;
    n = n * 8 + c - 48;
  }
  return i > 124 && (i === 136 || h[i] === 0 || h[i] === 32) ? n : null;
}
var SecretScan = class extends Transform {
  /** The secrets' names and values, in the order of {@link search}'s needles. */
  secrets;
  search;
  overlap;
  /** The current header block (copied out of the stream: it names the entry while its data streams). */
  header = Buffer.alloc(BLOCK);
  headerBytes = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  data = 0;
  padding = 0;
  /** The current entry's pax `path` (else its name is in its header), and whether its data is file content to scan. */
  entryPath;
  scanning = false;
  /** The metadata entry being read (pax records, or a GNU long name that names the next entry). */
  meta = null;
  metaType = "";
  paxPath;
  paxSize;
  /** A secret found in the metadata before the next entry, reported with that entry's name. */
  metaFound = -1;
  /** The last bytes of the current file seen so far (a match may span chunks). */
  tail = EMPTY;
  /** Bytes scanned (file data only). */
  scannedBytes = 0;
  constructor(secrets) {
    super();
    this.secrets = scannable(secrets);
    this.search = new NeedleSet(this.secrets.map((s) => Buffer.from(s.value, "utf8")));
    this.overlap = Math.max(0, this.search.maxLength - 1);
  }
  _transform(chunk, _encoding, done) {
    try {
      this.walk(chunk);
      done(null, chunk);
    } catch (err) {
      done(err);
    }
  }
  /**
   * Follows `chunk` (the next bytes of the tar stream) and scans what it holds.
   * @throws SecretInSnapshotError at the first secret value found
   */
  walk(chunk) {
    let off = 0;
    while (off < chunk.length) {
      if (this.data > 0) {
        const n2 = Math.min(this.data, chunk.length - off);
        const slice = chunk.subarray(off, off + n2);
        if (this.scanning) this.scan(slice, n2 < this.data);
        else if (this.meta) this.meta.push(Buffer.from(slice));
        this.data -= n2;
        off += n2;
        if (this.data === 0) this.endData();
        continue;
      }
      if (this.padding > 0) {
        const n2 = Math.min(this.padding, chunk.length - off);
        this.padding -= n2;
        off += n2;
        continue;
      }
      const n = Math.min(BLOCK - this.headerBytes, chunk.length - off);
      chunk.copy(this.header, this.headerBytes, off, off + n);
      this.headerBytes += n;
      off += n;
      if (this.headerBytes < BLOCK) break;
      this.headerBytes = 0;
      this.onHeader();
    }
  }
  onHeader() {
    const h = this.header;
    if (h[0] === 0 && h.equals(ZERO_BLOCK)) return;
    const type = String.fromCharCode(h[156]);
    const size = this.paxSize ?? octalSize(h) ?? numberField(h, 124, 12) ?? 0;
    if (META_TYPES.has(type)) {
      this.meta = [];
      this.metaType = type;
      this.scanning = false;
      if (type === "x") {
        this.paxSize = void 0;
        this.paxPath = void 0;
      }
    } else {
      this.entryPath = this.paxPath;
      this.scanning = FILE_TYPES.has(type) && this.secrets.length > 0;
      this.paxPath = void 0;
      this.paxSize = void 0;
      this.tail = EMPTY;
      this.scanNames(h);
    }
    const data = FILE_TYPES.has(type) || META_TYPES.has(type) ? size : 0;
    this.data = data;
    this.padding = Math.ceil(data / BLOCK) * BLOCK - data;
    if (data === 0) this.endData();
  }
  /** Looks for the values in an entry's names: the header's name, link name and prefix fields, and the metadata before it. */
  scanNames(h) {
    let found = this.metaFound;
    this.metaFound = -1;
    if (found === -1) found = this.search.find(h, 0, 100);
    if (found === -1) found = this.search.find(h, 157, 257);
    if (found === -1 && h[345] !== 0) found = this.search.find(Buffer.from(headerName(h), "utf8"));
    if (found !== -1) this.found(found);
  }
  endData() {
    if (!this.meta) return;
    const data = this.meta.length === 1 ? this.meta[0] : Buffer.concat(this.meta);
    this.meta = null;
    if (this.metaFound === -1) this.metaFound = this.search.find(data);
    if (this.metaType === "L") this.paxPath = cString(data, 0, data.length);
    if (this.metaType !== "x") return;
    const records = data.includes(" path=") || data.includes(" size=") ? paxRecords(data) : null;
    this.paxPath = records?.get("path");
    const size = records?.get("size");
    this.paxSize = size !== void 0 && /^\d+$/.test(size) ? Number(size) : void 0;
  }
  /** Throws for the secret at `index` in the current entry, its value masked (`***`) should the path itself hold it. */
  found(index) {
    const { name, value } = this.secrets[index];
    const file = (this.entryPath ?? headerName(this.header)).replace(/^(\.\/)+/, "");
    throw new SecretInSnapshotError(file.split(value).join("***"), name);
  }
  /**
   * Looks for every value in `slice` (one pass, {@link NeedleSet}) and across the seam
   * with the file's previous bytes; keeps the last `overlap` bytes when the file goes on.
   * @param more whether the current file has data after this slice
   */
  scan(slice, more) {
    this.scannedBytes += slice.length;
    let found = this.search.find(slice);
    if (found === -1 && this.tail.length > 0) {
      const seam = Buffer.concat([this.tail, slice.subarray(0, this.overlap)]);
      found = this.search.find(seam);
    }
    if (found !== -1) this.found(found);
    if (!more || this.overlap === 0) {
      this.tail = EMPTY;
      return;
    }
    this.tail = slice.length >= this.overlap ? Buffer.from(slice.subarray(slice.length - this.overlap)) : Buffer.concat([this.tail, slice]).subarray(-this.overlap);
  }
};

export {
  BLOCK,
  cString,
  numberField,
  checksumOk,
  paxRecords,
  MIN_SCANNED_LENGTH,
  SecretInSnapshotError,
  scannable,
  SecretScan
};
//# sourceMappingURL=chunk-TAP6C6ZV.js.map
