import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { InterruptedError, isInterrupted } from '../../lib/interruption.ts';
import { maskText } from '../../lib/mask.ts';
import { UserError } from '../../lib/user-error.ts';
import { followRedirects, type FollowResult } from '../follow-redirects.ts';
import type { Browser } from '../flow/run-connector.ts';

/** Who signs in at the real IdP: a person at a browser, or a script in tests. */
export interface Person extends Browser {
  close(): Promise<void>;
}

// The scripted person's callback: nothing listens there, the follower stops before it.
const SCRIPTED_REDIRECT = 'http://127.0.0.1.invalid/callback/recorded';

/**
 * A scripted person for tests and CI: follows the authorization URL headlessly (redirects and
 * cookies). The mock IdP signs in the `login_hint` user without a page; oauth2-mock-server's
 * authorize endpoint redirects straight back.
 */
export function scriptedPerson(options: { redirectUri?: string; timeoutMs?: number } = {}): Person {
  const redirectUri = options.redirectUri ?? SCRIPTED_REDIRECT;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    redirectUri,
    // An IdP that accepts the connection and never answers must not hang the recording.
    signIn: (authorizationUri, signal) =>
      followRedirects(authorizationUri, (url) => url.startsWith(redirectUri), {
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]),
      }),
    close: async () => {},
  };
}

export interface InteractiveOptions {
  /** A redirect URI registered at the IdP: the person pastes the URL they land on. */
  redirectUri?: string;
  /** Local port for the callback (0: any free port); ignored with redirectUri. */
  port: number;
  timeoutMs: number;
  /** Try `xdg-open` on the URL. */
  open: boolean;
  /** Where instructions go (stderr in the CLI). */
  say: (line: string) => void;
  input?: NodeJS.ReadableStream;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

// Waiting for a person is no input mistake when they press Ctrl-C: the run was interrupted (130/143).
const interruptedBy = (signal: AbortSignal): InterruptedError =>
  isInterrupted(signal.reason) ? signal.reason : new InterruptedError('SIGINT');

function openInBrowser(url: string, say: (line: string) => void): void {
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => say('(could not run xdg-open: open the URL yourself)'));
  child.unref();
}

/** Waits for the person to paste the URL they landed on (the IdP redirected to a registered URI nobody here serves). */
async function pastedCallback(
  redirectUri: string,
  options: InteractiveOptions,
  signal?: AbortSignal,
): Promise<FollowResult> {
  const lines = createInterface({ input: options.input ?? process.stdin, terminal: false });
  try {
    return await new Promise<FollowResult>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new UserError({
              field: '--timeout',
              message: `no callback URL pasted within ${seconds(options.timeoutMs)}`,
              hint: 'sign in, copy the full URL of the page the IdP sent you to (it starts with the --redirect-uri) and paste it here; or raise --timeout',
            }),
          ),
        options.timeoutMs,
      );
      signal?.addEventListener('abort', () => reject(interruptedBy(signal)), { once: true });
      lines.on('line', (line) => {
        const pasted = line.trim();
        if (!pasted) return;
        if (!pasted.startsWith(redirectUri.split('?')[0]!)) {
          options.say(`that URL does not start with ${redirectUri}; paste the URL of the page you landed on`);
          return;
        }
        clearTimeout(timer);
        resolve({ callbackUrl: pasted, hops: [] });
      });
      lines.on('close', () => {
        clearTimeout(timer);
        reject(
          new UserError({
            message: 'standard input closed before a callback URL was pasted',
            hint: 'run record in a terminal, or drop --redirect-uri to take the callback on a local port',
          }),
        );
      });
    });
  } finally {
    lines.close();
  }
}

/**
 * A person at a browser: prints the authorization URL (and opens it with --open), then takes the
 * callback on a local port, or with --redirect-uri (an IdP that allows only a registered one) reads
 * the URL they land on from stdin. Never waits longer than the timeout.
 */
export async function interactivePerson(options: InteractiveOptions): Promise<Person> {
  let server: Server | undefined;
  let redirectUri = options.redirectUri;
  let arrived: ((url: string) => void) | undefined;
  const callback = new Promise<string>((resolve) => {
    arrived = resolve;
  });
  if (!redirectUri) {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
      if (url.pathname !== '/callback') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not the callback');
        return;
      }
      response
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Signed in: the recorder has the callback. You can close this tab.');
      arrived?.(url.href);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UserError({
            field: '--port',
            message: `cannot listen on 127.0.0.1:${options.port} (${error.code ?? error.message})`,
            hint: 'pick another --port, or 0 for any free port',
          }),
        ),
      );
      server!.listen(options.port, '127.0.0.1', () => resolve());
    });
    redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  }
  const fixedRedirect = redirectUri;
  return {
    redirectUri: fixedRedirect,
    async signIn(authorizationUri, signal) {
      options.say(
        `Open this URL, sign in, and come back (waiting up to ${seconds(options.timeoutMs)}):\n\n  ${authorizationUri}\n`,
      );
      // Everything printed is masked, this URL too: a secret-like customConfig value sent at authorize cannot be copied from it.
      if (maskText(authorizationUri) !== authorizationUri)
        options.say('(a secret in this URL is masked here: --open gives the browser the whole URL)');
      if (options.open) openInBrowser(authorizationUri, options.say);
      if (options.redirectUri) {
        options.say(`The IdP sends you to ${fixedRedirect}: paste the full URL of that page here and press Enter.`);
        return pastedCallback(fixedRedirect, options, signal);
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => reject(interruptedBy(signal)), {
          once: true,
        });
        timer = setTimeout(
          () =>
            reject(
              new UserError({
                field: '--timeout',
                message: `no callback reached ${fixedRedirect} within ${seconds(options.timeoutMs)}`,
                hint: `the IdP must allow ${fixedRedirect} as a redirect URI (or use --redirect-uri with one it allows); raise --timeout for a slow sign-in`,
              }),
            ),
          options.timeoutMs,
        );
      });
      try {
        return { callbackUrl: await Promise.race([callback, timeout]), hops: [] };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => (server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve()),
  };
}
