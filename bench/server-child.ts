// A server under test in its own process, so the load generator never shares its event loop.
// Prints one JSON line {issuer, startMs, sinceProcessStartMs} once discovery answers.
import { OAuth2Server } from 'oauth2-mock-server';
import { startMockIdp } from '../mock-idp/index.ts';
import { benchFixture } from './fixture.ts';

const which = process.argv[2];
const started = performance.now();
let issuer: string;
if (which === 'mock-idp') {
  issuer = (await startMockIdp(benchFixture, { port: 0 })).issuer;
} else if (which === 'oauth2-mock-server') {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  issuer = server.issuer.url!;
} else {
  throw new Error(`unknown server ${which}`);
}
const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
if (discovery.status !== 200) throw new Error(`discovery answered ${discovery.status}`);
await discovery.arrayBuffer();
const now = performance.now();
process.stdout.write(`${JSON.stringify({ issuer, startMs: now - started, sinceProcessStartMs: now })}\n`);
if (process.argv[3] === '--exit') process.exit(0);
process.once('SIGINT', () => process.exit(0));
