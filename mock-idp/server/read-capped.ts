/** A body that went past the reader's limit; `limit` is in bytes. */
export class BodyTooLarge extends Error {
  readonly code = 'BODY_TOO_LARGE';
  readonly limit: number;
  constructor(limit: number) {
    super(`more than ${limit} bytes`);
    this.limit = limit;
  }
}

/**
 * Reads a body up to `limit` bytes; past it, stops reading (the rest is never buffered) and throws
 * BodyTooLarge. `read.bytes` says how far it got, for a caller whose client went away mid-body.
 * The mock IdP reads requests through it, the recording proxy requests and the real IdP's answers.
 */
export async function readCapped(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
  read: { bytes: number } = { bytes: 0 },
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) {
    read.bytes += chunk.byteLength;
    if (read.bytes > limit) throw new BodyTooLarge(limit);
    // A view, not a copy: node streams hand Buffers already, fetch hands Uint8Arrays.
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(parts);
}
