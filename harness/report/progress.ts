import { maskText } from '../../lib/mask.ts';
import type { ScenarioResult } from '../model.ts';

/** Progress on stderr: a live line on a terminal, a line per scenario otherwise (CI logs). */
export function progressPrinter(stream: NodeJS.WriteStream, total: number) {
  const live = stream.isTTY === true;
  return {
    onResult: (result: ScenarioResult, done: number) => {
      const mark = result.status === 'passed' ? '✓' : '✗';
      const name = maskText(result.name);
      if (live) stream.write(`\r\x1b[2K[${done}/${total}] ${mark} ${name}`);
      else stream.write(`[${done}/${total}] ${mark} ${name} (${result.durationMs} ms)\n`);
    },
    finish() {
      if (live) stream.write('\r\x1b[2K');
    },
  };
}
