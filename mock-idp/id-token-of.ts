import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { JournalEntry } from './journal.ts';

/**
 * The header and claims of the id_token a token answer carries, whatever its encoding (a JSON
 * object, its text, or a form), for the checks that compare them: the mock IdP's journal and the
 * recording proxy's both use it, so a live recording and its replay show the same evidence.
 */
export function idTokenOf(body: unknown): JournalEntry['idToken'] {
  let fields: unknown = body;
  if (typeof body === 'string') {
    try {
      fields = JSON.parse(body);
    } catch {
      fields = Object.fromEntries(new URLSearchParams(body));
    }
  }
  const idToken = fields && typeof fields === 'object' ? (fields as Record<string, unknown>).id_token : undefined;
  if (typeof idToken !== 'string') return undefined;
  try {
    return { header: { ...decodeProtectedHeader(idToken) }, claims: { ...decodeJwt(idToken) } };
  } catch {
    return undefined;
  }
}
