import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioResult } from '../model.ts';
import { renderHtml } from '../report/html/page.ts';
import { renderJson } from '../report/json.ts';
import { renderJunit } from '../report/junit.ts';
import type { Shard } from '../shard.ts';
import type { OutputFlags } from './output-options.ts';

const FILE_NAMES = {
  json: 'connector-harness.json',
  junit: 'connector-harness.junit.xml',
  html: 'connector-harness.html',
};

/** The report files -r asks for, in --out-dir; returns their paths. */
export async function writeReports(
  results: ScenarioResult[],
  flags: Pick<OutputFlags, 'reporter' | 'outDir'> & { target: string; shard?: Shard; unreadFiles?: string[] },
): Promise<string[]> {
  if (flags.reporter.length === 0) return [];
  const written: string[] = [];
  for (const reporter of new Set(flags.reporter)) {
    const file = path.join(flags.outDir, FILE_NAMES[reporter]);
    const meta = { target: flags.target, generatedAt: new Date().toISOString() };
    await writeFile(
      file,
      reporter === 'json'
        ? renderJson(results, {
            ...meta,
            ...(flags.shard ? { shard: flags.shard } : {}),
            // So that merge-reports exits 2 as the run did: the run is not the whole suite.
            ...(flags.unreadFiles?.length ? { unreadFiles: flags.unreadFiles } : {}),
          })
        : reporter === 'html'
          ? renderHtml(results, meta)
          : renderJunit(results, `connector-harness (${flags.target})`),
    );
    written.push(file);
  }
  return written;
}
