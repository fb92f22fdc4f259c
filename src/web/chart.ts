/**
 * The Prebuilds page's chart of one configuration, as inline SVG rendered on the
 * server (no script; only presentation attributes, so the page's CSP allows it): the
 * prebuilds' durations as dots against the left axis (minutes), and the hours restores
 * saved, accumulated over the period, as a step line against the right axis. Pure.
 */
import type { ConfigurationSeries } from '../api/report.js';
import { html, type SafeHtml } from './html.js';

/** Size of the drawing, CSS pixels, and its margins (axis labels live there). */
const W = 640;
const H = 180;
const M = { left: 48, right: 52, top: 14, bottom: 26 };
const DURATION_COLOUR = '#0969da';
const SAVED_COLOUR = '#1a7f37';

/** A "nice" upper bound for an axis: 1, 2 or 5 × 10^n at or above `max` (at least `floor`). */
export function axisMax(max: number, floor: number): number {
  const v = Math.max(max, floor);
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((n) => n >= v)!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The chart of one configuration over [since, until].
 * @param since start of the period, epoch ms
 * @param until end of the period, epoch ms
 */
export function configurationChart(s: ConfigurationSeries, since: number, until: number): SafeHtml {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (at: number) => round1(M.left + ((Math.min(Math.max(at, since), until) - since) / Math.max(1, until - since)) * plotW);
  const minutesMax = axisMax(Math.max(0, ...s.prebuilds.map((p) => p.durationMs / 60_000)), 1);
  const yMinutes = (min: number) => round1(M.top + plotH - (min / minutesMax) * plotH);
  // Hours saved, accumulated: the step line starts at 0 and climbs (or falls) with each restore.
  let total = 0;
  const steps = s.restores.map((r) => ({ at: r.at, hours: (total += r.savedMs / 3_600_000) }));
  const low = Math.min(0, ...steps.map((p) => p.hours));
  const hoursMax = axisMax(Math.max(0, ...steps.map((p) => p.hours)), 0.1);
  const yHours = (h: number) => round1(M.top + plotH - ((h - low) / (hoursMax - low)) * plotH);
  let path = `M${x(since)},${yHours(0)}`;
  for (const p of steps) path += ` H${x(p.at)} V${yHours(p.hours)}`;
  path += ` H${x(until)}`;
  const saved = round1(total);
  const label =
    `${s.configuration}: ${s.prebuilds.length} prebuild duration${s.prebuilds.length === 1 ? '' : 's'} (up to ${minutesMax} min) ` +
    `and ${s.restores.length} restore${s.restores.length === 1 ? '' : 's'} saving ${saved} hours, ${day(since)} to ${day(until)}`;
  return html`<figure class="chart">
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 ${W} ${H}"
      width="${W}"
      height="${H}"
      role="img"
      aria-label="${label}"
      data-configuration="${s.configuration}"
    >
      <title>${label}</title>
      <rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="#f6f8fa" stroke="#d0d7de" />
      <text x="${M.left - 6}" y="${M.top + 4}" text-anchor="end" font-size="11" fill="${DURATION_COLOUR}">${minutesMax} min</text>
      <text x="${M.left - 6}" y="${M.top + plotH}" text-anchor="end" font-size="11" fill="${DURATION_COLOUR}">0</text>
      <text x="${W - M.right + 6}" y="${M.top + 4}" font-size="11" fill="${SAVED_COLOUR}">${hoursMax} h</text>
      <text x="${W - M.right + 6}" y="${M.top + plotH}" font-size="11" fill="${SAVED_COLOUR}">${round1(low)}</text>
      <text x="${M.left}" y="${H - 8}" font-size="11" fill="#57606a">${day(since)}</text>
      <text x="${W - M.right}" y="${H - 8}" text-anchor="end" font-size="11" fill="#57606a">${day(until)}</text>
      <path d="${path}" fill="none" stroke="${SAVED_COLOUR}" stroke-width="2" data-series="hours-saved" data-points="${steps.length}" />
      <g fill="${DURATION_COLOUR}" data-series="prebuild-durations" data-points="${s.prebuilds.length}">
        ${s.prebuilds.map(
          (p) =>
            html`<circle
              cx="${x(p.at)}"
              cy="${yMinutes(p.durationMs / 60_000)}"
              r="3.5"
              fill-opacity="${p.state === 'success' || p.state === 'expired' ? 1 : 0.35}"
            />`,
        )}
      </g>
    </svg>
    <figcaption class="muted">
      <span style="color:${DURATION_COLOUR}">●</span> prebuild duration (minutes, faint: failed) · <span style="color:${SAVED_COLOUR}">━</span> hours saved by
      restores, accumulated (${saved} h)
    </figcaption>
  </figure>`;
}
