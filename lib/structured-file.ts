import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
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

export function parseStructuredText(text: string, file: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new UserError(
      document.errors.map((error): Problem => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: position.line,
          column: position.col,
          message: `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}`,
          hint: 'fix the syntax at that line (indentation, quotes, a missing colon or comma)',
        };
      }),
    );
  }
  const locate = (path: ReadonlyArray<PropertyKey>) => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) {
        const position = lineCounter.linePos(node.range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return undefined;
  };
  return { file, data: document.toJS({ maxAliasCount: 100 }), locate };
}

export async function readStructuredFile(file: string): Promise<LocatedDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError({
      file,
      message: code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a file' : `cannot read file (${code ?? String(error)})`,
      hint: 'check the path; it is resolved from the current directory',
    });
  }
  return parseStructuredText(text, file);
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
    result.error.issues.map((issue): Problem => {
      const path = [...at, ...issue.path];
      // An unknown key is found on its own line, not on its parent object's first line.
      const position = document.locate(issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...path, issue.keys[0]!] : path);
      return {
        file: document.file,
        line: position?.line,
        column: position?.column,
        field: path.length > 0 ? fieldPath(path) : undefined,
        message: issue.message,
      };
    }),
  );
}
