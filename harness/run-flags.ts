import { InvalidArgumentError, Option } from 'commander';

/**
 * Checks of `connector-harness run` options that commander cannot express, made before any
 * scenario runs: a typo must not cost a whole run, and must not end in a stack trace.
 */

export const REPORTERS = ['json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** `-r` is repeatable, so it needs its own parser, and a custom parser replaces commander's choices check. */
export function collectReporter(value: string, previous: ReporterName[]): ReporterName[] {
  if (!(REPORTERS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`Allowed choices are ${REPORTERS.join(', ')}.`);
  return [...previous, value as ReporterName];
}

export function parseWholeNumber(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return number;
  };
}

/** A published version (1.7.8, 1.8.0-beta.1) names a folder under .connector-versions/, so nothing path-like may pass. */
export function parseConnectorVersion(value: string): string {
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/.test(value))
    throw new InvalidArgumentError(
      'not a version: give a published version such as 1.7.8 (for a folder of your own, use --connector-path)',
    );
  return value;
}

export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('not a URL: give an http(s) URL such as http://localhost:3001');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`${url.protocol} is not supported: give an http(s) URL`);
  // fetch refuses such a URL; and credentials belong in their own options, not in a URL that gets printed.
  if (url.username || url.password)
    throw new InvalidArgumentError(
      "it holds a user name or password: give the URL without them (the M2M app's id and secret go in --m2m-app-id / --m2m-app-secret)",
    );
  return value;
}

/** Which connector code runs: the same two options for run and record, so both check a version alike. */
export const connectorCodeOptions = (): Option[] => [
  new Option(
    '--connector-version <version>',
    'run the connectors installed under .connector-versions/<version> (default: the pinned 1.7.8 / 1.7.5)',
  )
    .env('HARNESS_CONNECTOR_VERSION')
    .argParser(parseConnectorVersion),
  new Option(
    '--connector-path <dir>',
    'run the connectors of another npm install prefix (<dir>/node_modules/@logto/connector-*)',
  ).env('HARNESS_CONNECTOR_PATH'),
];
