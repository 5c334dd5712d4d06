/**
 * The redirect URIs a client whose fixture leaves `redirectUris` open may be sent back to: any
 * absolute http(s) URI, parsed (oidc-provider parses one only when redirecting back, where
 * `http://[::1` threw: a 500), without whitespace or control characters (URL parsing would drop
 * them and redirect somewhere the client never named), and without a fragment (RFC 6749 §3.1.2:
 * the parameters go in the query, a fragment would swallow them). One rule for the sign-in and for the
 * error redirects, so a fault never sends a browser where the real answer would refuse to.
 */
export const isOpenRedirectUri = (value: string): boolean =>
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses: URL parsing would drop them
  /^https?:\/\/[^\s\x00-\x1f\x7f#]+$/i.test(value) && URL.canParse(value);
