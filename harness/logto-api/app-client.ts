import LogtoClient, { Prompt } from '@logto/node';

/**
 * The application's side, as Logto's SDKs do it (@logto/node is the JavaScript twin of the Python
 * SDK in Logto's Flask sample): an OIDC code flow with PKCE against Logto, tokens kept in memory.
 */
export class AppSession {
  readonly #client: LogtoClient;
  readonly #store = new Map<string, string>();
  #navigated?: string;

  /** `extraScopes`: e.g. `identities`, which the Account API's stored-token route requires. */
  constructor(endpoint: string, appId: string, appSecret: string, extraScopes: string[] = []) {
    this.#client = new LogtoClient(
      { endpoint, appId, appSecret, scopes: ['email', 'phone', 'profile', ...extraScopes] },
      {
        navigate: (url: string) => {
          this.#navigated = url;
        },
        storage: {
          getItem: async (key: string) => this.#store.get(key) ?? null,
          setItem: async (key: string, value: string) => {
            this.#store.set(key, value);
          },
          removeItem: async (key: string) => {
            this.#store.delete(key);
          },
        },
      },
    );
  }

  /** The authorization URL the SDK would send the browser to. */
  async startSignIn(redirectUri: string): Promise<string> {
    this.#navigated = undefined;
    await this.#client.signIn({ redirectUri, prompt: Prompt.Login });
    if (!this.#navigated) throw new Error('the Logto SDK did not navigate to an authorization URL');
    return this.#navigated;
  }

  /**
   * Exchanges the callback's code; returns the ID token's claims, what the checks compare with the user
   * Logto stored (the userinfo endpoint, which no check reads, is not asked: one call less per sign-in).
   */
  async finishSignIn(callbackUrl: string): Promise<{ claims: Record<string, unknown> }> {
    await this.#client.handleSignInCallback(callbackUrl);
    return { claims: await this.#client.getIdTokenClaims() };
  }

  /** Logto's opaque access token (no resource): what the Account API (/api/my-account) accepts. */
  accountAccessToken(): Promise<string> {
    return this.#client.getAccessToken();
  }

  /** Signs out (revokes, clears storage); returns the end-session URL the browser would visit. */
  async signOut(postLogoutRedirectUri: string): Promise<string | undefined> {
    this.#navigated = undefined;
    await this.#client.signOut(postLogoutRedirectUri);
    return this.#navigated;
  }
}
