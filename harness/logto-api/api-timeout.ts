// Its own module: every command's options name it, and a CLI start that only parses them (--help, a bad flag) must
// not load the API client (zod, the cookie jar) for one number.
/**
 * How long one call to Logto may take by default. Logto answers its APIs in well under a second;
 * the slowest call the harness makes is a sign-in step in which Logto itself calls the IdP, under
 * the connector's own 5 s timeout per request. 30 s leaves room for that and a cold tenant, and
 * still ends a CI job at a dead endpoint long before the job's own timeout would.
 */
export const DEFAULT_API_TIMEOUT_MS = 30_000;
