import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);

// src/lifecycle/timings.ts
var PhaseTimer = class {
  ms = /* @__PURE__ */ new Map();
  /** Adds `ms` (wall-clock, ≥ 0) to `phase`. */
  add(phase, ms) {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + Math.max(0, ms));
  }
  /** Runs `fn`, adds its wall time to `phase` (also when it throws) and returns its value. */
  async time(phase, fn) {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - started);
    }
  }
  /**
   * Like {@link time}, but what `fn` records meanwhile under the `nested` phases (a
   * store's `upload` inside `save`) is not counted twice: it is left out of `phase`.
   */
  async timeOuter(phase, nested, fn) {
    const before = nested.reduce((sum, p) => sum + (this.ms.get(p) ?? 0), 0);
    const started = performance.now();
    try {
      return await fn();
    } finally {
      const inner = nested.reduce((sum, p) => sum + (this.ms.get(p) ?? 0), 0) - before;
      this.add(phase, performance.now() - started - inner);
    }
  }
  /** The phases measured so far, whole ms, in first-measured order. */
  toJSON() {
    const out = {};
    for (const [phase, ms] of this.ms) out[phase] = Math.round(ms);
    return out;
  }
};
function timingRows(timings, totalMs) {
  const share = (ms) => totalMs > 0 ? Math.round(ms / totalMs * 100) : 0;
  const rows = Object.entries(timings).map(([phase, ms]) => ({ phase, ms, pct: share(ms) }));
  const other = Math.round(totalMs - rows.reduce((sum, r) => sum + r.ms, 0));
  if (other >= 1) rows.push({ phase: "other", ms: other, pct: share(other) });
  return rows;
}

export {
  PhaseTimer,
  timingRows
};
//# sourceMappingURL=chunk-GPWEZFP6.js.map
