import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether this is a checkout running its TypeScript sources; the installed package runs the
 * JavaScript `npm pack` built into dist/ (tsconfig.build.json), one folder deeper.
 */
export const RUNS_FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * The folder holding package.json, fixtures/ and containers/: the checkout, or the installed
 * package (node_modules/logto-connector-harness). What the CLIs read at run time is found from
 * here, never from the current directory, which is the user's.
 */
export const PACKAGE_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  RUNS_FROM_SOURCES ? '..' : '../..',
);
