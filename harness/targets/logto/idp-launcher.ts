import type { JournalEntry } from '../../../mock-idp/journal.ts';
import { startMockIdp, type Fixture } from '../../../mock-idp/index.ts';

export type UserPatch = { profile?: Record<string, unknown>; claims?: Record<string, unknown> };

/** One scenario's mock IdP, wherever it runs: the Logto target only needs these. */
export interface LaunchedIdp {
  /** The issuer as Logto reaches it: what the connector config names, discovery announces, and a client_secret_jwt aud holds. */
  issuer: string;
  /** A URL under `issuer` as this process reaches it (the browser's side of the sign-in). */
  reachable: (url: string) => string;
  /** Replaces a user's profile/claims: the next sign-in sees the change. */
  updateUser(id: string, patch: UserPatch): Promise<void>;
  /** What the IdP has received so far (secrets masked). */
  journal(): Promise<readonly JournalEntry[]>;
  stop(): Promise<void>;
}

/** Starts a mock IdP for one scenario's fixture (a launcher names what it starts itself). */
export interface IdpLauncher {
  launch(fixture: Fixture): Promise<LaunchedIdp>;
  /** Releases what the launcher keeps between launches (called once, after the last scenario). */
  close?(): Promise<void>;
}

/** `issuer…` → `local…`; anything else unchanged. Pure. */
export const reissue = (issuer: string, local: string) => (url: string) =>
  url.startsWith(issuer) ? `${local}${url.slice(issuer.length)}` : url;

/**
 * The IdP in this process. With `publicUrl` (e.g. `http://host.testcontainers.internal:4123` or
 * `http://host.docker.internal:4000`) it listens on all interfaces at that URL's port and announces
 * that URL, so a Logto in a container reaches it; this process still talks to it on 127.0.0.1.
 */
export function inProcessIdpLauncher(publicUrl?: string): IdpLauncher {
  const publicIssuer = publicUrl ? new URL(publicUrl) : undefined;
  return {
    async launch(fixture) {
      const idp = await startMockIdp(fixture, {
        host: publicIssuer ? '0.0.0.0' : '127.0.0.1',
        port: publicIssuer ? Number(publicIssuer.port || (publicIssuer.protocol === 'https:' ? 443 : 80)) : 0,
        ...(publicIssuer ? { issuer: publicIssuer.origin } : {}),
      });
      const local = `http://127.0.0.1:${new URL(idp.endpoints.token).port || publicIssuer?.port}`;
      return {
        issuer: idp.issuer,
        reachable: publicIssuer ? reissue(idp.issuer, local) : (url) => url,
        updateUser: async (id, patch) => idp.updateUser(id, patch),
        journal: async () => idp.journal.entries(),
        stop: () => idp.stop(),
      };
    },
  };
}
