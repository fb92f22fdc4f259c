import type { DecisionView } from '../api/views.js';
import { html } from './html.js';
import { layout } from './render.js';

/** What the "Why?" page of a commit shows. */
export interface WhyPageData {
  owner: string;
  repo: string;
  /** The commit asked about, as typed (full or abbreviated). */
  sha: string;
  decisions: DecisionView[];
}

/** A form asking "why?" about a commit, shown on the repository page. */
export function whyForm(owner: string, repo: string) {
  return html`<form class="why" method="get" action="/prebuilds/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/why">
    <label>Why did (or didn't) a commit prebuild? <input name="sha" placeholder="commit sha" pattern="[0-9a-fA-F]{7,40}" required /></label>
    <button type="submit">Why?</button>
  </form>`;
}

/**
 * Every decision the app recorded for a commit (SPEC.md rule 10), oldest first: the
 * event, the configuration, what was decided and why — the page's `prebuilds why SHA`.
 */
export function whyPage(d: WhyPageData): string {
  const back = `/prebuilds/${encodeURIComponent(d.owner)}/${encodeURIComponent(d.repo)}`;
  const rows = d.decisions.map(
    (x) =>
      html`<tr data-decision="${x.decision}">
        <td>${x.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</td>
        <td>${x.event}</td>
        <td>${x.configuration}</td>
        <td class="state">${x.decision}</td>
        <td>${x.prebuildId === null ? '—' : `#${x.prebuildId}`}</td>
        <td>${x.reason}</td>
      </tr>`,
  );
  const body = html`<section>
      <h2>Decisions for <code>${d.sha}</code></h2>
      <p><a href="${back}">← ${d.owner}/${d.repo}</a></p>
      ${
        rows.length
          ? html`<table class="decisions">
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Configuration</th>
                <th>Decision</th>
                <th>Prebuild</th>
                <th>Reason</th>
              </tr>
              ${rows}
            </table>`
          : html`<p>No decision recorded for this commit: the app never received an event for it (is the app installed, and was the commit pushed?).</p>`
      }
    </section>
    ${whyForm(d.owner, d.repo)}`;
  return layout(`Why · ${d.sha.slice(0, 7)} · ${d.owner}/${d.repo}`, body);
}
