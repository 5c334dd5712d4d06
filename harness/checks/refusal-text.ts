/** What an IdP's refusal says, read as text: the words the checks look for in its body. Pure. */
export const refusalText = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body ?? ''));

// A header name as providers write it (Client-Id, Notion-Version, X-Api-Key) near the word "header".
const HEADER_NEAR_WORD =
  /\b([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\b[^.]{0,40}\bheader\b|\bheader\b[^.]{0,40}?\b([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\b/;

/** The request header a refusal says is missing or wrong, when it names one. Pure. */
export function headerNamedIn(body: unknown): string | undefined {
  const text = refusalText(body);
  const found = HEADER_NEAR_WORD.exec(text);
  if (!found || !/missing|required|invalid|must/i.test(text)) return undefined;
  return found[1] ?? found[2];
}
