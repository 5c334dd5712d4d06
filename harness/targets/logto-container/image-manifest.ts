import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { UserError, type Problem } from '../../../lib/user-error.ts';

/** The image tags in one place, shared with the scripts in containers/ (which source it). */
export const IMAGE_MANIFEST = path.join(PACKAGE_ROOT, 'containers/images.env');

const MANIFEST_KEYS = [
  'LOGTO_VERSION',
  'OFFICIAL_LOGTO',
  'OFFICIAL_POSTGRES',
  'OFFICIAL_SSHD',
  'OFFICIAL_NODE',
  'LOCAL_DEBIAN',
  'LOCAL_NODE',
  'LOCAL_POSTGRES',
  'LOCAL_SSHD',
  'LOCAL_MOCK_IDP',
  'LOCAL_HARNESS',
  'LOCAL_LOGTO',
] as const;
export type ImageManifest = Record<(typeof MANIFEST_KEYS)[number], string>;

/**
 * containers/images.env: KEY=VALUE lines a shell can source (no spaces, no quotes), comments on lines
 * of their own, `${KEY}` naming an earlier key. Anything else is refused with its line, so the
 * scripts and this reader cannot see two different files.
 */
export function parseImageManifest(text: string, file = IMAGE_MANIFEST): ImageManifest {
  const values: Record<string, string> = {};
  const problems: Problem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([A-Z][A-Z0-9_]*)=((?:[\w.:/@+-]|\$\{[A-Z][A-Z0-9_]*\})+)$/.exec(line);
    if (!match) {
      const message = 'not a KEY=VALUE line (no spaces, no quotes, ${KEY} for an earlier key)';
      problems.push({ file, line: index + 1, message });
      return;
    }
    values[match[1]!] = match[2]!.replace(/\$\{(\w+)\}/g, (reference, key: string) => {
      if (values[key] === undefined)
        problems.push({ file, line: index + 1, message: `${reference} names no earlier key` });
      return values[key] ?? '';
    });
  });
  for (const key of MANIFEST_KEYS)
    if (values[key] === undefined) problems.push({ file, field: key, message: 'missing' });
  if (problems.length > 0) throw new UserError(problems);
  return values as ImageManifest;
}

let manifest: ImageManifest | undefined;
export function imageManifest(): ImageManifest {
  manifest ??= parseImageManifest(readFileSync(IMAGE_MANIFEST, 'utf8'));
  return manifest;
}

/** A stand-in's tag under HARNESS_IMAGE_PREFIX, which renames the whole local set (containers/lib.sh: local_image). */
export function localImage(tag: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${env.HARNESS_IMAGE_PREFIX || 'harness-local'}/${tag.slice(tag.indexOf('/') + 1)}`;
}
