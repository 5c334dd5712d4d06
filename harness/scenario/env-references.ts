import type { LocatedDocument } from '../../lib/structured-file.ts';
import { UserError, fieldPath, type Problem } from '../../lib/user-error.ts';

/** `${env:NAME}` inside any string value: how exported scenarios keep secrets out of files. */
const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The document with every `${env:NAME}` replaced by that environment variable; a variable that is
 * not set is a mistake of the user's, named with its file, line and field. Values are not echoed.
 */
export function withEnvReferences(document: LocatedDocument, env: NodeJS.ProcessEnv = process.env): LocatedDocument {
  const problems: Problem[] = [];
  const expand = (value: unknown, at: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      return value.replace(REFERENCE, (reference, name: string) => {
        const found = env[name];
        if (found !== undefined) return found;
        problems.push({
          file: document.file,
          line: document.locate(at)?.line,
          field: fieldPath(at),
          message: `${reference} names an environment variable that is not set`,
          hint: `export ${name}=… before running (exported scenarios keep secrets in the environment, not in the file)`,
        });
        return reference;
      });
    }
    if (Array.isArray(value)) return value.map((item, index) => expand(item, [...at, index]));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item, [...at, key])]));
    return value;
  };
  const data = expand(document.data, []);
  if (problems.length > 0) throw new UserError(problems);
  return { ...document, data };
}
