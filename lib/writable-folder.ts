import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './user-error.ts';

/**
 * Makes sure files can be written into `dir` before the work that produces them (a run, a sign-in),
 * as a UserError naming `flag`. Folders are created one level at a time: Node's recursive mkdir
 * never returns for some paths (/proc/x). With `create: false` nothing is left behind: the nearest
 * existing folder is probed instead, for a caller that creates `dir` only once it has something to write.
 */
export async function ensureWritableFolder(
  dir: string,
  flag = '--out-dir',
  { create = true }: { create?: boolean } = {},
): Promise<void> {
  const refuse = (message: string) =>
    new UserError({
      field: flag,
      message: `${dir}: ${message}`,
      hint: 'give a folder you can write to (it is created if missing)',
    });
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    try {
      if (!(await stat(current)).isDirectory())
        throw refuse(current === path.resolve(dir) ? 'is a file, not a folder' : `${current} is a file, not a folder`);
      break;
    } catch (error) {
      if (error instanceof UserError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw refuse('a part of the path is a file, not a folder');
      if (code !== 'ENOENT') throw refuse(`cannot use it (${code ?? String(error)})`);
      missing.unshift(current);
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  const probe = path.join(create ? path.resolve(dir) : current, `.connector-harness-write-check-${process.pid}`);
  try {
    if (create) for (const folder of missing) await mkdir(folder);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw refuse(`cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
