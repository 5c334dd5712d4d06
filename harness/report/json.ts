import { maskForOutput } from '../../lib/mask.ts';
import type { ScenarioResult } from '../model.ts';
import { summarize } from './summary.ts';

/** Machine-readable results for CI; the same masked data the terminal shows (masked here, at the output). */
export function renderJson(results: ScenarioResult[], meta: Record<string, unknown>): string {
  return `${JSON.stringify(maskForOutput({ ...meta, summary: summarize(results), results }), null, 2)}\n`;
}
