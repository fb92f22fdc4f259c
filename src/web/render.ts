import type { ConfigurationSeries, ValueReport } from '../api/report.js';
import { configurationChart } from './chart.js';
import type { ConfigurationView, PrebuildView } from '../api/views.js';
import { formatBytes, formatDuration } from '../github/check-text.js';
import { html, SafeHtml, timeAgo } from './html.js';
import { whyForm } from './why.js';

/**
 * Server-rendered markup of the Prebuilds page (no scripts at all): the login
 * form, and per repository one row per configuration with its status, its history
 * and the value report, after Gitpod's Prebuilds tab.
 */

const STYLE = `
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:18px;margin:0}main{max-width:1100px;margin:0 auto;padding:16px 24px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:16px 0;padding:12px 16px}
h2{font-size:16px;margin:4px 0 8px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}th{color:#57606a;font-weight:600}
.status{font-size:15px;font-weight:600}.muted{color:#57606a}.notice{background:#dafbe1;border-color:#4ac26b}.error{background:#ffebe9;border-color:#ff8182}
form.inline{display:inline;margin:0}button{font:inherit;padding:2px 10px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}input[type=password],input[type=text]{font:inherit;padding:4px 8px;width:420px}
`;
const STYLE_SAFE = new SafeHtml(STYLE);

/** The whole document around a body. */
export function layout(title: string, body: SafeHtml, header: SafeHtml | string = ''): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${STYLE_SAFE}
        </style>
      </head>
      <body>
        <header>
          <h1>${title}</h1>
          ${header}
        </header>
        <main>${body}</main>
      </body>
    </html>`.value;
}

/** The login form: takes an API token (`prebuilds token create`). */
export function loginPage(next: string, error: string | null): string {
  return layout(
    'Prebuilds · sign in',
    html`<section${error ? html` class="error"` : ''}>
<h2>Sign in with an API token</h2>
${error ? html`<p role="alert">${error}</p>` : ''}
<p class="muted">Create one with <code>prebuilds token create --scope &lt;installation id&gt;</code>. The page keeps only a session id in an HttpOnly cookie for this site (never the token); signing out ends it.</p>
<form method="post" action="/prebuilds/login">
<input type="hidden" name="next" value="${next}">
<label>Token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form></section>`,
  );
}

/** A form with one button POSTing to a page route, carrying the CSRF token. */
function button(action: string, label: string, csrf: string, name?: string): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">
    <input type="hidden" name="csrf" value="${csrf}" /><button type="submit" ${name ? html` name="${name}"` : ''}>${label}</button>
  </form>`;
}

/** "🚀 Prebuild ready", "🔄 Prebuild in progress", "❌ Prebuild failed" … with "Last run 1 hour ago". */
export function statusLine(c: ConfigurationView, now: number): string {
  const p = c.lastPrebuild;
  const parts: string[] = [];
  if (c.paused) parts.push('⏸️ Paused');
  if (!p) parts.push('No prebuild yet');
  else if (['waiting', 'dispatched', 'running'].includes(p.status)) parts.push(p.status === 'waiting' ? '⏳ Prebuild waiting' : '🔄 Prebuild in progress');
  else if (c.lastSuccess && (p.status === 'success' || p.status === 'superseded' || p.status === 'cancelled')) parts.push('🚀 Prebuild ready');
  else if (p.status === 'failure' || p.status === 'timed_out') parts.push(p.status === 'timed_out' ? '⏱️ Prebuild timed out' : '❌ Prebuild failed');
  else parts.push(`Last prebuild ${p.status}`);
  const last = p ? Date.parse(p.timings.endedAt ?? p.timings.startedAt ?? p.timings.createdAt) : null;
  if (last !== null) parts.push(`Last run ${timeAgo(last, now)}`);
  return parts.join(' · ');
}

function settingsTable(c: ConfigurationView): SafeHtml {
  if (!c.file) return html`<p class="muted">File values unknown until the first prebuild.</p>`;
  const row = (key: 'commitInterval' | 'retention' | 'triggerFiles') => {
    const file = c.file![key];
    const over = c.overrides[key];
    const show = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(', ') : '—') : String(v));
    return html`<tr>
      <td>${key}</td>
      <td>${show(file)}</td>
      <td>${over === undefined ? html`<span class="muted">—</span>` : show(over)}</td>
    </tr>`;
  };
  return html`<table class="settings">
    <tr>
      <th>Setting</th>
      <th>File</th>
      <th>Override</th>
    </tr>
    ${row('commitInterval')}${row('triggerFiles')}${row('retention')}
    <tr>
      <td>branches</td>
      <td>${c.file.branches.join(', ')}</td>
      <td class="muted">—</td>
    </tr>
  </table>`;
}

function historyRow(owner: string, repo: string, p: PrebuildView, csrf: string, now: number): SafeHtml {
  const base = p.base.key ? html`<code>${p.base.sha?.slice(0, 7) ?? '?'}</code>` : html`<span class="muted">${p.base.reason ? 'none' : '—'}</span>`;
  const active = ['waiting', 'dispatched', 'running'].includes(p.status);
  const prefix = `/prebuilds/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/prebuilds/${p.id}`;
  return html`<tr data-prebuild="${p.id}">
      <td>#${p.id}</td>
      <td class="state">${p.status}</td>
      <td>${p.branch}</td>
      <td>
        <a href="/prebuilds/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/why?sha=${p.sha}" title="why: every decision for this commit"
          ><code>${p.sha.slice(0, 7)}</code></a
        >
      </td>
      <td>${p.trigger}</td>
      <td>${timeAgo(Date.parse(p.timings.createdAt), now)}</td>
      <td>${p.timings.durationMs === null ? '—' : formatDuration(p.timings.durationMs)}</td>
      <td>${p.snapshot.bytes === null ? '—' : formatBytes(p.snapshot.bytes)}</td>
      <td>${base}</td>
      <td>${p.log.url ? html`<a href="${p.log.url}" rel="noreferrer">log</a>` : '—'}</td>
      <td>${active ? button(`${prefix}/cancel`, 'Cancel', csrf) : button(`${prefix}/rerun`, 'Rerun', csrf)}</td>
    </tr>
    ${
      p.reason
        ? html`<tr class="reason">
            <td></td>
            <td colspan="10" class="muted">${p.reason}</td>
          </tr>`
        : ''
    }`;
}

/** Chart data of the page: a longer period than the report's table. */
export interface PageCharts {
  since: number;
  until: number;
  series: ConfigurationSeries[];
}

function reportPanel(r: ValueReport, charts: PageCharts): SafeHtml {
  const t = r.totals;
  const restores = t.restores.exact + t.restores.ancestor + t.restores.miss;
  const rows = r.configurations.map(
    (c) =>
      html`<tr>
        <td>${c.configuration}</td>
        <td>${c.runs}</td>
        <td>${c.minutesSpent}</td>
        <td>${c.runsAvoided}</td>
        <td>${c.minutesSaved}</td>
        <td>${c.successRate === null ? '—' : `${Math.round(c.successRate * 100)}%`}</td>
        <td>${c.medianDurationMs === null ? '—' : formatDuration(c.medianDurationMs)}</td>
        <td>${c.medianSnapshotBytes === null ? '—' : formatBytes(c.medianSnapshotBytes)}</td>
        <td>${formatBytes(c.storageBytes)}</td>
        <td>${c.restores.exact} / ${c.restores.ancestor} / ${c.restores.miss}</td>
        <td>${c.hoursSaved}</td>
      </tr>`,
  );
  return html`<section id="report">
    <h2>Value report · last ${r.period}</h2>
    <p class="muted">
      ${r.totals.runs} runs, ${r.totals.minutesSpent} Actions minutes spent; ${r.totals.runsAvoided} runs avoided by collapsing pushes saved about
      ${r.totals.minutesSaved} minutes; ${formatBytes(r.totals.storageBytes)} of snapshots held.
    </p>
    <p class="restores">
      ${restores} restore${restores === 1 ? '' : 's'} reported (${t.restores.exact} exact, ${t.restores.ancestor} ancestor, ${t.restores.miss} miss) saved
      <b>${t.hoursSaved} hours</b> against the configurations' cold times, for ${t.minutesSpent} minutes of prebuilds.
    </p>
    <table>
      <tr>
        <th>Configuration</th>
        <th>Runs</th>
        <th>Minutes spent</th>
        <th>Runs avoided</th>
        <th>Minutes saved</th>
        <th>Success rate</th>
        <th>Median duration</th>
        <th>Median size</th>
        <th>Storage held</th>
        <th>Restores exact / ancestor / miss</th>
        <th>Hours saved</th>
      </tr>
      ${rows}
    </table>
    <h3>Prebuild durations and hours saved · since ${new Date(charts.since).toISOString().slice(0, 10)}</h3>
    ${charts.series.map(
      (s) =>
        html`<h4>${s.configuration}</h4>
          ${configurationChart(s, charts.since, charts.until)}`,
    )}
  </section>`;
}

/** Everything the repository page shows. */
export interface RepoPageData {
  owner: string;
  repo: string;
  configurations: Array<{ view: ConfigurationView; history: PrebuildView[] }>;
  report: ValueReport;
  charts: PageCharts;
  csrf: string;
  notice: string | null;
  error: string | null;
  now: number;
}

/** The Prebuilds page of one repository. */
export function repoPage(d: RepoPageData): string {
  const prefix = `/prebuilds/${encodeURIComponent(d.owner)}/${encodeURIComponent(d.repo)}`;
  const sections = d.configurations.map(({ view: c, history }) => {
    const pause = c.paused
      ? button(`${prefix}/configurations/${c.id}/resume`, 'Resume', d.csrf)
      : button(`${prefix}/configurations/${c.id}/pause`, 'Pause', d.csrf);
    return html`<section class="configuration" data-configuration="${c.name}">
      <h2>${c.name} <span class="muted">${c.file?.environmentFile ?? ''}</span></h2>
      <p class="status">${statusLine(c, d.now)} ${pause}</p>
      ${settingsTable(c)}
      <h3>History</h3>
      <table class="history">
        <tr>
          <th>Prebuild</th>
          <th>Status</th>
          <th>Branch</th>
          <th>Commit</th>
          <th>Trigger</th>
          <th>Created</th>
          <th>Duration</th>
          <th>Size</th>
          <th>Base</th>
          <th>Log</th>
          <th></th>
        </tr>
        ${history.map((p) => historyRow(d.owner, d.repo, p, d.csrf, d.now))}
      </table>
    </section>`;
  });
  const logout = html`<form class="inline" method="post" action="/prebuilds/logout">
    <input type="hidden" name="csrf" value="${d.csrf}" /><button type="submit">Sign out</button>
  </form>`;
  const body = html`${d.notice ? html`<section class="notice" role="status">${d.notice}</section>` : ''}
    ${d.error ? html`<section class="error" role="alert">${d.error}</section>` : ''}
    ${sections.length ? sections : html`<section><p>No prebuild configuration known for this repository yet: push to a configured branch.</p></section>`}
    <section id="why">${whyForm(d.owner, d.repo)}</section>
    ${reportPanel(d.report, d.charts)}`;
  return layout(`Prebuilds · ${d.owner}/${d.repo}`, body, logout);
}
