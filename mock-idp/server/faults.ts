import type { Middleware } from 'koa';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EndpointName, Fault } from '../fixture/schema.ts';
import type { JournalState } from './record-journal.ts';

/** Counts calls per endpoint and applies the fixture's faults: status + body, latency, Nth call only. */
export const injectFaults = (faults: Fault[], endpointOf: (path: string) => string): Middleware => {
  const calls = new Map<string, number>();
  return async (ctx, next) => {
    const endpoint = endpointOf(ctx.path) as EndpointName;
    const relevant = faults.filter((fault) => fault.endpoint === endpoint);
    if (relevant.length === 0) return next();
    const call = (calls.get(endpoint) ?? 0) + 1;
    calls.set(endpoint, call);
    const fault = relevant.find((candidate) => candidate.nth === undefined || candidate.nth === call);
    if (!fault) return next();
    const journal = ctx.state.journal as JournalState;
    journal.fault = [
      fault.status ? `status ${fault.status}` : undefined,
      fault.latencyMs ? `latency ${fault.latencyMs} ms` : undefined,
      fault.nth ? `call #${fault.nth}` : undefined,
    ].filter(Boolean).join(', ');
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (fault.status === undefined) return next();
    ctx.status = fault.status;
    if (typeof fault.body === 'string') {
      ctx.type = 'text/plain';
      ctx.body = fault.body;
    } else {
      ctx.body = fault.body ?? { error: 'temporarily_unavailable', error_description: `fault injected by the fixture (${journal.fault})` };
    }
  };
};
