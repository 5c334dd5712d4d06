import type { ClientAuthMethod, EndpointName } from './fixture/schema.ts';

/** What the IdP saw of a client_secret_jwt assertion, after (trying to) verify it. */
export interface AssertionRecord {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  verified: boolean;
  /** Why verification failed (bad signature, wrong aud, expired, replayed jti, alg not allowed…). */
  error?: string;
}

export interface ClientAuthRecord {
  /** The method the request actually used, read off the request itself. */
  method: ClientAuthMethod | 'unknown';
  clientId?: string;
  /** The method the fixture's client is registered with. */
  expected?: ClientAuthMethod;
  assertion?: AssertionRecord;
  /**
   * client_secret_basic only, and only when it matters (the id or secret has `+`, `%` or other
   * characters form-encoding changes): `raw` = the parts were sent as is, the way Logto sends them
   * (RFC 6749 §2.3.1 wants them form-encoded; the mock accepts both), `form-encoded` = as the RFC says.
   */
  basicCredentials?: 'raw' | 'form-encoded';
}

/** One request the IdP received, with its response. Secrets are masked (see lib/mask.ts). */
export interface JournalEntry {
  seq: number;
  at: string;
  endpoint: EndpointName | 'login' | 'admin' | 'other';
  method: string;
  path: string;
  /** Query and form parameters merged, as the client sent them (secrets masked). */
  params: Record<string, string>;
  /**
   * What the mock IdP itself changed before oidc-provider read the request, as the real IdP would
   * treat it (prompt=consent added for offline_access, a renamed client id): never the client's.
   */
  adjustedParams?: Record<string, string>;
  /** Request headers of interest (authorization masked, content-type, accept). */
  headers: Record<string, string>;
  clientAuth?: ClientAuthRecord;
  response: {
    status: number;
    contentType?: string;
    /** Where a redirect pointed (authorization codes masked). */
    location?: string;
    /** Parsed JSON when the body was JSON, the text otherwise (secrets masked). */
    body: unknown;
  };
  /**
   * The id_token of a token answer, decoded: its header and claims as the client reads them (the
   * token itself stays masked in `response.body`; without its signature this is no credential).
   */
  idToken?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  /**
   * oidc-provider's own reason for an OAuth error, which its error_description keeps generic on
   * purpose (`client authentication failed` ← `invalid secret provided`, `client assertion tokens
   * must only be used once`…). Absent when oidc-provider gave none.
   */
  errorDetail?: string;
  /** Set when a fixture fault shaped this response. */
  fault?: string;
  /**
   * The client closed the connection before the IdP answered (e.g. mid-upload): `response` is what
   * it would have been sent, which nobody read.
   */
  clientClosed?: true;
  /**
   * What was cut to keep the journal's memory bounded, each with its original size, e.g.
   * `params.state: 30000 characters, the first 2000 kept` (the value itself then ends in `…`).
   */
  truncated?: string[];
  durationMs: number;
}

export interface Journal {
  entries(): readonly JournalEntry[];
  /** The entries after this seq, oldest first (what a test or a run saw since it noted `lastSeq()`). */
  entriesAfter(seq: number): readonly JournalEntry[];
  /** The seq of the newest entry kept (0: none). */
  lastSeq(): number;
  /** Starts over: entries and their memory go; seq keeps counting. */
  clear(): void;
  /**
   * Approximate memory the entries hold. Bounded: the oldest entries go beyond 8 MiB, and an entry
   * over 16 KiB is cut down when recorded (see `truncated`).
   */
  bytes(): number;
}
