#!/usr/bin/env node
// A checkout runs its TypeScript sources through Node's own type stripping (Node >= 22.18, no build
// step); the installed package runs the JavaScript its build put in dist/ (Node >= 20).
import { startCli } from './start-fast.js';

await startCli('mock-idp', 'mock-idp/cli', { vendored: true });
