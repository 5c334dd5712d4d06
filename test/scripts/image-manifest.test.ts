// containers/images.env holds the image tags once: the shell scripts source it, images.ts reads it,
// and every other mention of a tag in the repository (docs, compose defaults, Dockerfile ARG defaults)
// must agree with it, so a Logto bump is a one-file change and a copy left behind fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_MANIFEST,
  imageManifest,
  localImage,
  parseImageManifest,
  type ImageManifest,
} from '../../harness/targets/logto-container/image-manifest.ts';
import { isUserError } from '../../lib/user-error.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const manifest = imageManifest();
const LOCAL_NAMESPACE = 'harness-local/';

const repositoryOf = (image: string) => image.slice(0, image.lastIndexOf(':'));
const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Mention {
  line: number;
  image: string;
}

/**
 * Image references in `text`: a repository the manifest names, or anything in the local namespace,
 * with a tag. A reference starts a word (after a space, quote, backtick, `(`, `=`, `[`, `,` or compose's
 * `:-`), so `harness-local/node:22` is not also `node:22`, and `postgres://postgres:pw@postgres:5432` is no
 * image. Bare names (`node`, `postgres`) count only with a tag that starts with a digit: `node:crypto` is
 * an import.
 */
function imageMentions(text: string, images: ImageManifest = manifest): Mention[] {
  const tagged = Object.entries(images).filter(([key]) => key !== 'LOGTO_VERSION');
  const repositories = [...new Set(tagged.map(([, image]) => repositoryOf(image)))];
  const names = [...repositories.map(escape), `${escape(LOCAL_NAMESPACE)}[\\w.-]+`].join('|');
  const pattern = new RegExp(`(?<=^|[\\s\`'"(=\\[,]|:-)(${names}):(\\w[\\w.-]*)`, 'gm');
  const mentions: Mention[] = [];
  for (const match of text.matchAll(pattern)) {
    const [, repository, rawTag] = match as unknown as [string, string, string];
    const tag = rawTag.replace(/[.-]+$/, ''); // the end of a sentence, not of the tag
    if (!repository.includes('/') && !/^\d/.test(tag)) continue;
    mentions.push({ line: text.slice(0, match.index).split('\n').length, image: `${repository}:${tag}` });
  }
  return mentions;
}

function trackedTextFiles(): string[] {
  // This file's own samples disagree on purpose.
  const skipped = new Set([
    path.relative(repo, IMAGE_MANIFEST),
    path.relative(repo, import.meta.filename),
    'package-lock.json',
  ]);
  return execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && !skipped.has(file))
    .filter((file) => !readFileSync(path.join(repo, file)).includes(0));
}

describe('containers/images.env', () => {
  it('is read the same by bash (which the scripts source it with) and by images.ts', () => {
    const keys = Object.keys(manifest);
    const script = `set -eu; . "$1"; shift; for key in "$@"; do printf '%s=%s\\n' "$key" "\${!key}"; done`;
    const fromBash = execFileSync('bash', ['-c', script, 'bash', IMAGE_MANIFEST, ...keys], { encoding: 'utf8' });
    expect(fromBash).toBe(keys.map((key) => `${key}=${manifest[key as keyof ImageManifest]}\n`).join(''));
  });

  it('names the Logto version once: the official image and the local stand-in both carry it', () => {
    expect(tagOf(manifest.OFFICIAL_LOGTO)).toBe(manifest.LOGTO_VERSION);
    expect(tagOf(manifest.LOCAL_LOGTO)).toBe(manifest.LOGTO_VERSION);
    expect(readFileSync(IMAGE_MANIFEST, 'utf8').split(manifest.LOGTO_VERSION)).toHaveLength(2);
  });

  it('tags the PostgreSQL stand-in for the PostgreSQL it holds (Debian bookworm: 15)', () => {
    const dockerfile = readFileSync(path.join(repo, 'containers/postgres/Dockerfile'), 'utf8');
    const held = /postgresql-(\d+)/.exec(dockerfile)?.[1];
    expect(held).toBe('15');
    expect(tagOf(manifest.LOCAL_POSTGRES)).toBe(held);
  });

  it('keeps every stand-in in the local namespace that HARNESS_IMAGE_PREFIX renames', () => {
    const local = Object.entries(manifest).filter(([key]) => key.startsWith('LOCAL_'));
    expect(local.map(([, image]) => image.startsWith(LOCAL_NAMESPACE))).not.toContain(false);
    const name = manifest.LOCAL_POSTGRES.slice(LOCAL_NAMESPACE.length);
    expect(localImage(manifest.LOCAL_POSTGRES, { HARNESS_IMAGE_PREFIX: 'try' })).toBe(`try/${name}`);
    expect(localImage(manifest.LOCAL_POSTGRES, { HARNESS_IMAGE_PREFIX: '' })).toBe(manifest.LOCAL_POSTGRES);
  });

  it('refuses what a shell would read differently, with the line', () => {
    const problems = (text: string) => {
      try {
        parseImageManifest(text, 'images.env');
      } catch (error) {
        if (isUserError(error)) return error.problems.map(({ line, field, message }) => `${line ?? field}: ${message}`);
        throw error;
      }
      return [];
    };
    const complete = readFileSync(IMAGE_MANIFEST, 'utf8');
    expect(problems(complete)).toEqual([]);
    expect(problems(`${complete}\nOFFICIAL_NODE="node:22"\n`)).toEqual([
      `${complete.split('\n').length + 1}: not a KEY=VALUE line (no spaces, no quotes, \${KEY} for an earlier key)`,
    ]);
    expect(problems(`X=a\${LATER}\nLATER=b\n${complete}`)).toEqual(['1: ${LATER} names no earlier key']);
    expect(problems(complete.replace(/^OFFICIAL_SSHD=.*$/m, ''))).toEqual(['OFFICIAL_SSHD: missing']);
  });
});

describe('image tags elsewhere in the repository', () => {
  it('finds references the way a reader would', () => {
    const found = (text: string) => imageMentions(text).map(({ image }) => image);
    expect(found(`image: \${POSTGRES_IMAGE:-${manifest.OFFICIAL_POSTGRES}}`)).toEqual([manifest.OFFICIAL_POSTGRES]);
    expect(found('ARG BASE_IMAGE=harness-local/debian:bookworm\nstands in for `postgres:16`.')).toEqual([
      'harness-local/debian:bookworm',
      'postgres:16',
    ]);
    expect(found('`harness-local/pg:17`, harness-local/node:20.')).toEqual([
      'harness-local/pg:17',
      'harness-local/node:20',
    ]);
    expect(found("import 'node:crypto'; postgres://postgres:p0stgr3s@postgres:5432/logto; my-node:22")).toEqual([]);
  });

  it('agree with containers/images.env (scripts, TypeScript, compose file, Dockerfiles, READMEs)', () => {
    const known = new Set(Object.values(manifest));
    const disagreeing: string[] = [];
    const seen = new Set<string>();
    for (const file of trackedTextFiles()) {
      for (const { line, image } of imageMentions(readFileSync(path.join(repo, file), 'utf8'))) {
        seen.add(file);
        if (!known.has(image)) disagreeing.push(`${file}:${line}: ${image}`);
      }
    }
    expect(disagreeing, 'tags that containers/images.env does not have').toEqual([]);
    // The scan saw the copies it exists for.
    const copies = ['README.md', 'containers/README.md', 'docker-compose.yml', 'containers/logto/Dockerfile'];
    expect([...seen]).toEqual(expect.arrayContaining(copies));
  });

  it("docker-compose.yml's defaults are the manifest's official images", () => {
    const compose = readFileSync(path.join(repo, 'docker-compose.yml'), 'utf8');
    const defaults = Object.fromEntries(
      [...compose.matchAll(/\$\{(\w+_IMAGE):-([^}]+)\}/g)].map(([, key, image]) => [key, image]),
    );
    expect(defaults).toMatchObject({
      POSTGRES_IMAGE: manifest.OFFICIAL_POSTGRES,
      LOGTO_IMAGE: manifest.OFFICIAL_LOGTO,
      NODE_IMAGE: manifest.OFFICIAL_NODE,
    });
  });
});
