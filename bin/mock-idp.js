#!/usr/bin/env node
// The sources are TypeScript run by Node's own type stripping (Node >= 22.18), no build step.
// V8's compile cache (in the OS temp folder) spares later starts compiling zod, yaml and the rest
// again: the part of a cold start that comes before the port opens.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('../mock-idp/cli.ts');
