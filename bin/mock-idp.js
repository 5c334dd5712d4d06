#!/usr/bin/env node
// The sources are TypeScript run by Node's own type stripping (Node >= 22.18), no build step.
import { startFast } from './start-fast.js';

startFast('mock-idp');
await import('../mock-idp/cli.ts');
