import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (where package.json, fixtures/ and containers/ are): computed once, here, so
 * a module that moves does not silently point somewhere else.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
