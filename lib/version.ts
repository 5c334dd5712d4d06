import { readFileSync } from 'node:fs';

/** This project's version, for `--version`: read from package.json, the one place it is written. */
export const projectVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
