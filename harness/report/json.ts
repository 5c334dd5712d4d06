import type { ScenarioResult } from '../model.ts';
import { summarize } from './summary.ts';

/** Machine-readable results for CI; the same masked data the terminal shows. */
export function renderJson(results: ScenarioResult[], meta: Record<string, unknown>): string {
  return `${JSON.stringify({ ...meta, summary: summarize(results), results }, null, 2)}\n`;
}
