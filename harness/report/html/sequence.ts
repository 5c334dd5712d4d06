import type { CheckResult, Hop, Lane } from '../../model.ts';
import { html } from './escape.ts';

const LANE_NAMES: Record<Lane, string> = {
  app: 'App (signed-in user)',
  browser: 'Browser',
  logto: 'Logto',
  connector: 'Logto connector',
  idp: 'IdP',
};
// Drawn only when a hop involves them: the app calls Logto only on the Logto target, after the sign-in.
const OPTIONAL_LANES = new Set<Lane>(['app', 'logto']);

export interface Marked {
  hop: Hop;
  check: CheckResult;
  /** Draw the check's note under the hop (default); off where the check is already said beside the diagram. */
  note?: boolean;
}

/** The participants a run's hops involve, in drawing order: Logto's own lane and the app's only for the Logto target. */
export function lanesOf(hops: Hop[]): Lane[] {
  const used = new Set(
    hops.flatMap(function lanes(hop): Lane[] {
      return [hop.from, hop.to, ...(hop.calls ?? []).flatMap(lanes)];
    }),
  );
  return (['app', 'browser', 'logto', 'connector', 'idp'] as const).filter(
    (lane) => !OPTIONAL_LANES.has(lane) || used.has(lane),
  );
}

const statusBadge = (status: number | undefined) =>
  status === undefined ? '' : `<span class="status s${String(status)[0]}">${status}</span>`;

function arrow(
  lanes: Lane[],
  from: Lane,
  to: Lane,
  classes: string[],
  attributes: Record<string, string | number | undefined>,
  label: string,
): string {
  const [a, b] = [lanes.indexOf(from) + 1, lanes.indexOf(to) + 1];
  const data = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` data-${name}="${html(value)}"`)
    .join('');
  return (
    `<div class="row"><div class="arrow ${b > a ? 'right' : 'left'} ${classes.join(' ')}"` +
    ` style="grid-column:${2 * Math.min(a, b)}/${2 * Math.max(a, b)}"${data}>${label}</div></div>`
  );
}

function note(marked: Marked): string {
  const { check } = marked;
  return (
    `<div class="row"><div class="note" role="note"><strong>${html(check.title)}</strong>: ${html(check.message)}` +
    `${check.hint ? `<span class="fix">Fix: ${html(check.hint)}</span>` : ''}</div></div>`
  );
}

function hopRows(lanes: Lane[], hop: Hop, marked: Marked | undefined): string[] {
  const failing = marked?.hop === hop;
  const mark = failing ? ['failing'] : [];
  const params =
    hop.params && Object.keys(hop.params).length > 0
      ? `<span class="params">${Object.entries(hop.params)
          .map(([key, value]) => `<code>${html(key)}=${html(value)}</code>`)
          .join('')}</span>`
      : '';
  const base = { role: hop.role, seq: hop.seq, request: hop.request };
  const rows = [
    arrow(
      lanes,
      hop.from,
      hop.to,
      [...mark, ...(hop.note ? ['unsent'] : [])],
      { ...base, kind: 'request' },
      `<span class="what">${html(hop.request)}</span>${params}${hop.note ? `<span class="summary">${html(hop.note)}</span>` : ''}`,
    ),
  ];
  for (const call of hop.calls ?? []) rows.push(...hopRows(lanes, call, marked));
  const { response } = hop;
  if (response) {
    const label =
      `${statusBadge(response.status)}` +
      `${response.contentType ? `<span class="ctype">${html(response.contentType)}</span>` : ''}` +
      `<span class="summary">${html(response.summary)}</span>`;
    rows.push(
      arrow(lanes, hop.to, hop.from, ['answer', ...mark], { ...base, kind: 'answer', status: response.status }, label),
    );
  }
  if (failing && marked && marked.note !== false) rows.push(note(marked));
  return rows;
}

/** A sequence diagram of a run's hops, in HTML and CSS (lib/sequence-style.ts); the marked hop in red with its check. */
export function renderSequence(hops: Hop[], marked?: Marked): string {
  const lanes = lanesOf(hops);
  const lifelines = lanes
    .map((_, index) => `<i class="lifeline" style="left:${(((index + 0.5) / lanes.length) * 100).toFixed(3)}%"></i>`)
    .join('');
  return `<div class="seq l${lanes.length}" role="figure" aria-label="sequence diagram">
<div class="heads">${lanes.map((lane) => `<b>${LANE_NAMES[lane]}</b>`).join('')}</div>
<div class="rows">${lifelines}
${hops.flatMap((hop) => hopRows(lanes, hop, marked)).join('\n')}
</div></div>`;
}
