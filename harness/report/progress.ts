import type { ScenarioResult } from '../model.ts';

/** Progress on stderr: a live line on a terminal, a line per scenario otherwise (CI logs). */
export function progressPrinter(stream: NodeJS.WriteStream, total: number) {
  const live = stream.isTTY === true;
  return {
    onResult(result: ScenarioResult, done: number) {
      const mark = result.status === 'passed' ? '✓' : '✗';
      if (live) stream.write(`\r\x1b[2K[${done}/${total}] ${mark} ${result.name}`);
      else stream.write(`[${done}/${total}] ${mark} ${result.name} (${result.durationMs} ms)\n`);
    },
    finish() {
      if (live) stream.write('\r\x1b[2K');
    },
  };
}
