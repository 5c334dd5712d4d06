import type { Middleware } from 'koa';
import { escapeHtml } from '../../lib/escape-html.ts';
import { SEQUENCE_CSS } from '../../lib/sequence-style.ts';
import { endpoints } from '../fixture/endpoints.ts';

const FILTERS = ['', ...endpoints, 'login', 'other'];

// Runs in the browser: polls `/_journal?since=<seq>` for JSON and draws each entry as a request
// arrow, an answer arrow and the whole entry folded under them; the last token and userinfo answers
// are shown in full above (DOM built with textContent, so nothing the journal holds is markup).
const CLIENT_SCRIPT = `
(() => {
  const BROWSER = new Set(['authorize', 'login', 'end_session', 'other']);
  const rows = document.getElementById('entries');
  const filter = document.getElementById('endpoint');
  const count = document.getElementById('count');
  const lastAnswers = { token: document.getElementById('last-token'), userinfo: document.getElementById('last-userinfo') };
  let last = 0;
  let total = 0;
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const clip = (text, length) => (text.length > length ? text.slice(0, length) + '…' : text);
  const arrow = (from, to, classes, children) => {
    const row = el('div', 'row');
    const line = el('div', 'arrow ' + (to > from ? 'right ' : 'left ') + classes);
    line.style.gridColumn = 2 * Math.min(from, to) + '/' + 2 * Math.max(from, to);
    line.append(...children);
    row.append(line);
    return row;
  };
  const summary = (entry) => {
    const { response } = entry;
    if (response.location) return '→ ' + response.location;
    const body = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    return clip([body, entry.errorDetail && '(' + entry.errorDetail + ')', entry.fault && '[fault: ' + entry.fault + ']'].filter(Boolean).join(' '), 240);
  };
  const draw = (entry) => {
    const group = el('div', 'entry');
    group.dataset.endpoint = entry.endpoint;
    group.dataset.seq = String(entry.seq);
    const from = BROWSER.has(entry.endpoint) ? 1 : 2;
    const failing = entry.response.status >= 400 ? ' failing' : '';
    const params = el('span', 'params');
    const shown = entry.clientAuth ? { 'client-auth': entry.clientAuth.method, ...entry.params } : entry.params;
    for (const [key, value] of Object.entries(shown)) params.append(el('code', '', key + '=' + clip(String(value), 120)));
    const request = arrow(from, 3, 'request' + failing, [el('span', 'when', '#' + entry.seq + ' ' + entry.at.slice(11, 23) + ' '), \
el('span', 'what', entry.method + ' ' + entry.path), params]);
    const status = el('span', 'status s' + String(entry.response.status)[0], String(entry.response.status));
    const answer = arrow(3, from, 'answer' + failing, [status, el('span', 'ctype', entry.response.contentType || ''), el('span', 'summary', summary(entry))]);
    answer.firstChild.dataset.status = String(entry.response.status);
    const full = el('details', 'full');
    full.append(el('summary', '', 'the whole entry #' + entry.seq), el('pre', '', JSON.stringify(entry, null, 2)));
    const fullRow = el('div', 'row');
    fullRow.append(full);
    group.append(request, answer, fullRow);
    return group;
  };
  const showAnswer = (entry) => {
    const box = lastAnswers[entry.endpoint];
    if (!box) return;
    const { response } = entry;
    box.dataset.seq = String(entry.seq);
    const detail = entry.errorDetail ? ' · ' + entry.errorDetail : '';
    box.querySelector('.meta').textContent =
      '#' + entry.seq + ' ' + entry.at.slice(11, 23) + ' · ' + response.status + ' ' + (response.contentType || '') + detail;
    const body = response.body === undefined ? '(no body)' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 2);
    box.querySelector('pre').textContent = body;
    box.classList.toggle('failing', response.status >= 400);
  };
  const applyFilter = () => {
    for (const group of rows.querySelectorAll('.entry')) group.hidden = Boolean(filter.value) && group.dataset.endpoint !== filter.value;
  };
  filter.addEventListener('change', () => {
    const url = new URL(location.href);
    if (filter.value) url.searchParams.set('endpoint', filter.value);
    else url.searchParams.delete('endpoint');
    history.replaceState(null, '', url);
    applyFilter();
  });
  const poll = async () => {
    try {
      const response = await fetch(location.pathname + '?since=' + last, { headers: { accept: 'application/json' } });
      const entries = response.ok ? await response.json() : [];
      for (const entry of entries) {
        rows.append(draw(entry));
        showAnswer(entry);
        last = Math.max(last, entry.seq);
        total += 1;
      }
      if (entries.length > 0) {
        applyFilter();
        count.textContent = total + ' request' + (total === 1 ? '' : 's') + ', last #' + last;
      }
    } catch {
      // The IdP stopped or restarted: keep polling, it may come back.
    }
    setTimeout(poll, 700);
  };
  poll();
})();
`;

function renderJournalPage(selected: string): string {
  const options = FILTERS.map(
    (name) => `<option value="${name}"${name === selected ? ' selected' : ''}>${name || 'every endpoint'}</option>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Journal – mock IdP</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; color: #1f2328; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem; }
h1 { font-size: 1.4rem; margin: 0; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; margin-bottom: .5rem; }
.meta { color: #59636e; }
.seq .when { color: #6e7781; font-size: 12px; }
.seq .heads { position: sticky; top: 0; background: #fff; padding: .3rem 0; z-index: 1; }
.answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; margin: .5rem 0 1rem; }
.answers section { border: 1px solid #d0d7de; border-radius: 8px; padding: .5rem .8rem; min-width: 0; }
.answers section.failing { border-color: #cf222e; background: #fff8f8; }
.answers h2 { font-size: 1rem; margin: 0; }
pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; border-radius: 6px; }
pre { padding: .5rem; margin: .3rem 0 0; max-height: 22rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.seq details.full { grid-column: 1 / -1; margin: 0 0 .6rem; font-size: 12px; color: #59636e; }
${SEQUENCE_CSS}
</style>
</head>
<body>
<main>
<header><h1>Mock IdP journal</h1>
<label>Endpoint <select id="endpoint">${options}</select></label>
<span class="meta" id="count" role="status">waiting for requests…</span></header>
<p class="meta">Every request the IdP received and its answer, newest last, as it happens (secrets masked). \
The same data as JSON: <code>curl ${escapeHtml('-H "accept: application/json"')} …/_journal</code></p>
<div class="answers">
<section id="last-token" aria-label="last token answer"><h2>Last token answer</h2><p class="meta">none yet</p><pre></pre></section>
<section id="last-userinfo" aria-label="last userinfo answer"><h2>Last userinfo answer</h2><p class="meta">none yet</p><pre></pre></section>
</div>
<div class="seq l3" role="figure" aria-label="journal sequence diagram">
<div class="heads"><b>Browser</b><b>Client (connector)</b><b>IdP</b></div>
<div class="rows" id="entries"><i class="lifeline" style="left:16.667%"></i>\
<i class="lifeline" style="left:50%"></i><i class="lifeline" style="left:83.333%"></i></div>
</div>
</main>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>`;
}

/**
 * `GET /_journal` from a browser (Accept prefers text/html): a page that draws the live journal
 * as a sequence diagram. Every other client (fetch's `*\/*`, curl, the harness) gets the JSON.
 */
export const journalPage: Middleware = async (ctx, next) => {
  if (ctx.accepts('json', 'html') !== 'html') {
    await next();
    return;
  }
  const endpoint =
    typeof ctx.query.endpoint === 'string' && FILTERS.includes(ctx.query.endpoint) ? ctx.query.endpoint : '';
  ctx.type = 'html';
  // Nothing but the page itself and its polls: no external script, style, font or image can load.
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.body = renderJournalPage(endpoint);
};
