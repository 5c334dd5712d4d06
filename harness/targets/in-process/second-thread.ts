import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../lib/user-error.ts';
import type { Observed, Scenario } from '../../model.ts';
import type { FromThread, SessionData, ToThread } from './thread-messages.ts';

// The sources in a checkout, the built .js in the package (as the rest of the code runs).
const ENTRY = new URL(`./observe-thread${path.extname(import.meta.url)}`, import.meta.url);

interface Pending {
  resolve(observed: Observed): void;
  reject(error: Error): void;
}

/**
 * A target's share of the second thread: the scenarios it hands there, observed by a FlowRunner of its own.
 * It takes scenarios once that runner has loaded the connectors and started a first IdP.
 */
export class ThreadSession {
  readonly id: number;
  readonly pending = new Map<number, Pending>();
  opened = false;
  closed: (() => void) | undefined;
  idpsStarted = 0;
  observedCount = 0;
  readonly #thread: SecondThread;

  constructor(thread: SecondThread, id: number) {
    this.#thread = thread;
    this.id = id;
  }

  /** Open, and the thread alive: it can take a scenario now. */
  get available(): boolean {
    return this.opened && this.#thread.alive;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  observe(scenario: Scenario, signal?: AbortSignal): Promise<Observed> {
    return this.#thread.observe(this, scenario, signal);
  }

  /** Stops the session's IdPs on the thread; the thread stays for the process's next target. */
  close(): Promise<void> {
    return this.#thread.closeSession(this);
  }
}

/**
 * A worker thread that observes scenarios as the main thread does (observe-thread.ts), so that with --parallel an
 * in-process run's connector calls and mock IdPs use a second core. One per process, started at the first run that
 * wants it and kept (like the modules the main thread loaded) for the next target, holding the process open only
 * while a target uses it. If it fails, it takes no more scenarios, and those it held fail with its error.
 */
export class SecondThread {
  readonly #worker: Worker;
  readonly #sessions = new Map<number, ThreadSession>();
  #nextId = 0;
  #dead = false;

  constructor() {
    this.#worker = new Worker(ENTRY);
    this.#worker.unref();
    this.#worker.on('message', (message: FromThread) => this.#receive(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the second thread stopped (exit code ${code})`)));
  }

  get alive(): boolean {
    return !this.#dead;
  }

  open(data: SessionData): ThreadSession {
    const session = new ThreadSession(this, this.#nextId++);
    this.#sessions.set(session.id, session);
    if (this.#sessions.size === 1) this.#worker.ref();
    this.#send({ type: 'open', session: session.id, ...data });
    return session;
  }

  observe(session: ThreadSession, scenario: Scenario, signal?: AbortSignal): Promise<Observed> {
    const id = this.#nextId++;
    const done = new Promise<Observed>((resolve, reject) => session.pending.set(id, { resolve, reject }));
    this.#send({ type: 'observe', session: session.id, id, scenario });
    if (signal) {
      const abort = () => this.#send({ type: 'abort', id });
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      void done.then(
        () => signal.removeEventListener('abort', abort),
        () => signal.removeEventListener('abort', abort),
      );
    }
    return done;
  }

  /**
   * Waits for the session's IdPs to stop. A session not yet open (a run shorter than the thread's start) held no
   * scenario: it is not waited for, so a short run does not wait for the thread to load.
   */
  async closeSession(session: ThreadSession): Promise<void> {
    if (!this.#dead && this.#sessions.has(session.id)) {
      const closed = new Promise<void>((resolve) => {
        session.closed = resolve;
        this.#send({ type: 'close', session: session.id });
      });
      if (session.opened) await closed;
    }
    this.#sessions.delete(session.id);
    if (this.#sessions.size === 0) this.#worker.unref();
  }

  #send(message: ToThread): void {
    this.#worker.postMessage(message);
  }

  #receive(message: FromThread): void {
    const session = this.#sessions.get(message.session);
    if (!session) return;
    if (message.type === 'opened') session.opened = true;
    else if (message.type === 'closed') session.closed?.();
    else {
      session.idpsStarted = message.idpsStarted;
      const pending = session.pending.get(message.id);
      session.pending.delete(message.id);
      if (message.type === 'observed') {
        session.observedCount += 1;
        pending?.resolve(message.observed);
      } else pending?.reject(message.problems ? new UserError(message.problems) : new Error(message.message));
    }
  }

  #fail(error: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    if (shared === this) shared = undefined;
    for (const session of this.#sessions.values()) {
      for (const pending of session.pending.values()) pending.reject(error);
      session.pending.clear();
      session.closed?.();
    }
  }
}

let shared: SecondThread | undefined;

/** This process's second thread, started at the first call. */
export function secondThread(): SecondThread {
  shared ??= new SecondThread();
  return shared;
}
