import { maskForOutput } from '../../lib/mask.ts';
import { projectVersion } from '../../lib/version.ts';
import type { ScenarioResult } from '../model.ts';
import { summarize } from './summary.ts';

/**
 * Machine-readable results for CI; the same masked data the terminal shows (masked here, at the output). The tool and
 * its version come first: merge-reports reads such files back and refuses any other tool's or version's.
 */
export function renderJson(results: ScenarioResult[], meta: Record<string, unknown>): string {
  const report = { tool: 'connector-harness', version: projectVersion, ...meta, summary: summarize(results), results };
  return `${JSON.stringify(maskForOutput(report), null, 2)}\n`;
}
