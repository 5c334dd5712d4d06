import { parentPort } from 'node:worker_threads';
import { isUserError } from '../../../lib/user-error.ts';
import { loadConnectorFactory } from '../../connectors/load.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import { observed } from '../../flow/observed.ts';
import type { FromThread, SessionData, ToThread } from './thread-messages.ts';

/*
 * The second thread of in-process runs with --parallel (second-thread.ts): for each target a FlowRunner of its
 * own, as on the main thread (its own pool of mock IdPs over real HTTP on 127.0.0.1, the real connector
 * packages), observing the scenarios the main thread hands it. Nothing of a scenario's run is shared.
 */
const port = parentPort!;
const sessions = new Map<number, FlowRunner>();
const running = new Map<number, AbortController>();
const send = (message: FromThread) => port.postMessage(message);

async function open(session: number, { source, kinds, warmUp }: SessionData): Promise<void> {
  const flows = new FlowRunner(source);
  sessions.set(session, flows);
  // What fails here fails again in the scenarios' own runs, which report it; here it only means nothing was warmed.
  await Promise.allSettled([
    ...kinds.map((kind) => loadConnectorFactory(kind, source)),
    ...(warmUp ? [flows.warm(warmUp)] : []),
  ]);
  send({ type: 'opened', session });
}

function observe(session: number, id: number, flows: FlowRunner, scenario: ToThread & { type: 'observe' }): void {
  const abort = new AbortController();
  running.set(id, abort);
  flows
    .run(scenario.scenario, abort.signal)
    .then(
      (observation) =>
        send({ type: 'observed', session, id, observed: observed(observation), idpsStarted: flows.idpsStarted }),
      (error: unknown) =>
        send({
          type: 'failed',
          session,
          id,
          message: error instanceof Error ? error.message : String(error),
          ...(isUserError(error) ? { problems: error.problems } : {}),
          idpsStarted: flows.idpsStarted,
        }),
    )
    .finally(() => running.delete(id));
}

port.on('message', (message: ToThread) => {
  if (message.type === 'open') void open(message.session, message);
  else if (message.type === 'abort') running.get(message.id)?.abort();
  else if (message.type === 'close') {
    const flows = sessions.get(message.session);
    sessions.delete(message.session);
    void (flows?.close() ?? Promise.resolve()).then(() => send({ type: 'closed', session: message.session }));
  } else {
    const flows = sessions.get(message.session);
    if (flows) observe(message.session, message.id, flows, message);
    else send({ type: 'failed', session: message.session, id: message.id, message: 'no such session', idpsStarted: 0 });
  }
});
