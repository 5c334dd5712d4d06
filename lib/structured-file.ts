import { open } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError, fieldPath, type Problem } from './user-error.ts';

/**
 * A YAML or JSON document that remembers where each value came from, so validation errors can
 * name the line. JSON is parsed by the YAML parser too (JSON is YAML), which gives JSON files the
 * same line numbers for free.
 */
export interface LocatedDocument {
  file: string;
  data: unknown;
  /** 1-based line/column of the value at `path`, or of its nearest existing parent. */
  locate(path: ReadonlyArray<PropertyKey>): { line: number; column: number } | undefined;
}

/**
 * Scenario and fixture files are hand-written configs of a few KB. The limits keep a mistaken or
 * hostile file (a database dump, a "billion laughs" alias bomb, 5,000 nested brackets) a clear
 * error instead of minutes of parsing, a heap exhaustion or a stack overflow.
 */
export const LIMITS = { bytes: 1024 * 1024, aliasCount: 100, depth: 64, problems: 20 } as const;

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function parseStructuredText(text: string, file: string): LocatedDocument {
  const kind = file.endsWith('.json') ? 'JSON' : 'YAML';
  const lineCounter = new LineCounter();
  // The parser's own uniqueKeys check compares every key with every other (40k keys: tens of
  // seconds); duplicates are found in one pass below instead.
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number) => {
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  if (document.errors.length > 0) {
    // yaml reports a collection nested past the call stack as RESOURCE_EXHAUSTION (its only use of the code).
    const tooDeep = document.errors.find((error) => error.code === 'RESOURCE_EXHAUSTION');
    if (tooDeep)
      throw new UserError({
        file,
        ...at(tooDeep.pos[0]),
        message: `nested too deeply (more than ${LIMITS.depth} levels)`,
        hint: 'scenario and fixture files are a few levels deep; check for runaway brackets',
      });
    throw new UserError(
      firstProblems(
        document.errors.map((error): Problem => ({
          file,
          ...at(error.pos[0]),
          message: `not valid ${kind}: ${error.message.split('\n')[0]}`,
          hint: 'fix the syntax at that line (indentation, quotes, a missing colon or comma)',
        })),
      ),
    );
  }
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) {
    throw new UserError({
      file,
      message: `empty: the file holds no ${kind} value`,
      hint: 'a scenario or fixture file holds a mapping of fields; see fixtures/scenarios/ and fixtures/default.yaml for examples',
    });
  }
  const structural = structureProblems(document, file, at);
  if (structural.length > 0) throw new UserError(firstProblems(structural));

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: LIMITS.aliasCount });
  } catch (error) {
    // yaml's toJS throws a ReferenceError only while resolving an alias (its expansion cap among them).
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserError({
      file,
      message: `too many alias expansions: its aliases (*name) would multiply the data past the limit of ${LIMITS.aliasCount}`,
      hint: 'a "billion laughs" expansion is refused; write the values out or use fewer nested aliases',
    });
  }
  const locate = (path: ReadonlyArray<PropertyKey>) => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return undefined;
  };
  return { file, data, locate };
}

/** Duplicate keys and excessive nesting, in one pass over the node tree (no recursion, no quadratic key search). */
function structureProblems(
  document: Document,
  file: string,
  at: (offset: number) => { line: number; column: number },
): Problem[] {
  const problems: Problem[] = [];
  const stack: Array<{ node: unknown; depth: number }> = [{ node: document.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > LIMITS.depth) {
      return [
        {
          file,
          ...(node.range ? at(node.range[0]) : {}),
          message: `nested too deeply (more than ${LIMITS.depth} levels)`,
          hint: 'scenario and fixture files are a few levels deep; check for runaway indentation or brackets',
        },
      ];
    }
    const seen = new Map<string, number | undefined>();
    for (const item of node.items) {
      if (!isPair(item)) {
        stack.push({ node: item, depth: depth + 1 });
        continue;
      }
      const key = item.key;
      if (isScalar(key) && !isAlias(key) && key.value !== '<<') {
        const name = String(key.value);
        const line = key.range ? at(key.range[0]).line : undefined;
        if (seen.has(name)) {
          const first = seen.get(name);
          problems.push({
            file,
            ...(key.range ? at(key.range[0]) : {}),
            message: `duplicate key "${name}"${first ? ` (first at line ${first})` : ''}`,
            hint: 'keep one of them: a later value would silently replace the earlier one',
          });
        } else {
          seen.set(name, line);
        }
      }
      stack.push({ node: item.value, depth: depth + 1 });
    }
  }
  return problems;
}

/** A file with thousands of mistakes is reported by its first few, and how many more there are. */
function firstProblems(problems: Problem[]): Problem[] {
  const unique = [
    ...new Map(problems.map((problem) => [`${problem.line}:${problem.field}:${problem.message}`, problem])).values(),
  ];
  if (unique.length <= LIMITS.problems) return unique;
  const first = unique.slice(0, LIMITS.problems);
  return [...first, { file: first[0]!.file, message: `… and ${unique.length - LIMITS.problems} more problems` }];
}

export async function readStructuredFile(file: string): Promise<LocatedDocument> {
  return parseStructuredText(await readCapped(file), file);
}

/** Reads at most LIMITS.bytes (+1 to notice more), so /dev/zero or a huge dump cannot exhaust memory. */
async function readCapped(file: string): Promise<string> {
  const refuse = (message: string) =>
    new UserError({ file, message, hint: 'check the path; it is resolved from the current directory' });
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a folder, expected a file'
          : `cannot read file (${code ?? String(error)})`,
    );
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw refuse('is a folder, expected a file');
    const tooBig = (size: string) =>
      new UserError({
        file,
        message: `${size}, larger than the ${LIMITS.bytes / 1024 / 1024} MB limit for scenario and fixture files`,
        hint: 'scenario and fixture files are a few KB: check that this is the file you meant',
      });
    if (info.size > LIMITS.bytes) throw tooBig(megabytes(info.size));
    const buffer = Buffer.alloc(LIMITS.bytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > LIMITS.bytes) throw tooBig(`more than ${megabytes(LIMITS.bytes)}`);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw refuse(`cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    await handle.close();
  }
}

/** Validates once at the boundary; every zod issue becomes a located problem. */
export function validateDocument<Schema extends z.ZodType>(
  schema: Schema,
  document: LocatedDocument,
  data: unknown = document.data,
  /** Where `data` sits in the document, when it is a part of it (an inline fixture in a scenario). */
  at: ReadonlyArray<PropertyKey> = [],
): z.output<Schema> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new UserError(
    firstProblems(
      result.error.issues.map((issue): Problem => {
        const path = [...at, ...issue.path];
        // An unknown key is found on its own line, not on its parent object's first line.
        const position = document.locate(
          issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...path, issue.keys[0]!] : path,
        );
        return {
          file: document.file,
          line: position?.line,
          column: position?.column,
          field: path.length > 0 ? fieldPath(path) : undefined,
          message:
            issue.code === 'unrecognized_keys' && issue.keys.length > 5
              ? `${issue.keys.length} unrecognized keys: ${issue.keys
                  .slice(0, 5)
                  .map((key) => JSON.stringify(key))
                  .join(', ')}, …`
              : issue.message,
        };
      }),
    ),
  );
}
