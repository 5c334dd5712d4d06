import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError, fieldPath } from '../../lib/user-error.ts';
import { projectVersion } from '../../lib/version.ts';
import type { ScenarioResult } from '../model.ts';
import type { Shard } from '../shard.ts';
import { summarize } from './summary.ts';

/** What renderJson writes, as far as the reporters read it: a report they can render again. */
const checkSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'warn', 'skip']),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()).optional(),
  hint: z.string().optional(),
  unfixable: z.object({ reason: z.string(), waysOut: z.array(z.string()) }).optional(),
});

const hopSchema: z.ZodType<unknown> = z.lazy(() =>
  z.looseObject({
    role: z.string(),
    from: z.string(),
    to: z.string(),
    request: z.string(),
    params: z.record(z.string(), z.string()).optional(),
    response: z.looseObject({ status: z.number().optional(), summary: z.string() }).optional(),
    note: z.string().optional(),
    calls: z.array(hopSchema).optional(),
  }),
);

const resultSchema = z.looseObject({
  name: z.string(),
  file: z.string(),
  line: z.number().int().optional(),
  target: z.string(),
  knownBad: z.boolean(),
  status: z.enum(['passed', 'failed', 'error']),
  checks: z.array(checkSchema),
  error: z.looseObject({ code: z.string(), message: z.string(), status: z.number().optional() }).optional(),
  connectorVersion: z.string().optional(),
  hops: z.array(hopSchema).optional(),
  durationMs: z.number(),
});

const reportSchema = z.looseObject({
  target: z.string(),
  generatedAt: z.string(),
  shard: z.object({ index: z.number().int().min(1), total: z.number().int().min(1) }).optional(),
  unreadFiles: z.array(z.string()).optional(),
  summary: z.object({
    total: z.number(),
    passed: z.number(),
    failed: z.number(),
    errors: z.number(),
    caught: z.number(),
  }),
  results: z.array(resultSchema),
});

export interface JsonReport {
  file: string;
  target: string;
  shard?: Shard;
  /** Scenario files the run could not read (it exited 2). */
  unreadFiles: string[];
  results: ScenarioResult[];
}

const HINT = 'give the connector-harness.json that `connector-harness run … -r json` wrote';

/** One JSON report of `run -r json`, checked to be one this version wrote; anything else is a located UserError. */
export async function readJsonReport(file: string): Promise<JsonReport> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError({
      file,
      message: error.code === 'ENOENT' ? 'no such report file' : `cannot be read (${error.code ?? error.message})`,
      hint: HINT,
    });
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError({ file, message: 'not JSON, so not a JSON report', hint: HINT });
  }
  const tool = (data as { tool?: unknown } | null)?.tool;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || tool !== 'connector-harness')
    throw new UserError({
      file,
      message: 'not a connector-harness JSON report (it has no "tool": "connector-harness")',
      hint: HINT,
    });
  const version = (data as { version?: unknown }).version;
  if (version !== projectVersion)
    throw new UserError({
      file,
      field: 'version',
      message: `a report of connector-harness ${typeof version === 'string' ? version : '(no version)'}, and this is ${projectVersion}`,
      hint: 'run the shards and merge-reports with one version of connector-harness',
    });
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError({
      file,
      field: fieldPath(issue.path),
      message: `not the shape of a run's report: ${issue.message}`,
      hint: HINT,
    });
  }
  const report = parsed.data;
  const results = report.results as ScenarioResult[];
  // Hand-edited or cut: its totals would no longer be what its scenarios say.
  if (JSON.stringify(summarize(results)) !== JSON.stringify(report.summary))
    throw new UserError({
      file,
      field: 'summary',
      message: `says ${JSON.stringify(report.summary)} but its results count ${JSON.stringify(summarize(results))}`,
      hint: HINT,
    });
  if (report.shard && report.shard.index > report.shard.total)
    throw new UserError({
      file,
      field: 'shard',
      message: `shard ${report.shard.index}/${report.shard.total} cannot be`,
      hint: HINT,
    });
  return {
    file,
    target: report.target,
    ...(report.shard ? { shard: report.shard } : {}),
    unreadFiles: report.unreadFiles ?? [],
    results,
  };
}
