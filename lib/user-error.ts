import { printable } from './printable.ts';

/**
 * A mistake the user can fix (bad fixture, bad scenario, bad flag). CLIs print it without a
 * stack trace and exit 2; everything else is a bug and keeps its stack.
 */
export interface ErrorSite {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending field, e.g. `clients[0].tokenEndpointAuthMethod`. */
  field?: string;
}

export interface Problem extends ErrorSite {
  message: string;
  /** What to do about it. */
  hint?: string;
}

export class UserError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[] | Problem | string) {
    const list =
      typeof problems === 'string' ? [{ message: problems }] : Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError;

export function formatSite({ file, line, column, field }: ErrorSite): string {
  const where = file
    ? [file, line, line === undefined ? undefined : column].filter((part) => part !== undefined).join(':')
    : '';
  return [where, field].filter(Boolean).join(' ');
}

/** One problem as the CLIs print it; what came from a file is quoted safely for a terminal. */
export function formatProblem(problem: Problem): string {
  const site = formatSite(problem);
  const head = site ? `${site}: ${problem.message}` : problem.message;
  return printable(problem.hint ? `${head}\n  hint: ${problem.hint}` : head);
}

/** Renders a dotted field path the way users read it: `clients[0].secret`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
