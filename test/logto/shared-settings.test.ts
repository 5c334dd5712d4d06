import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ManagementClient } from '../../harness/logto-api/management-client.ts';
import { SlotPool } from '../../harness/targets/logto-container/slot-pool.ts';
import { CleanupStack } from '../../harness/targets/logto/cleanup-stack.ts';
import { raceWindow, ScenarioLock } from '../../harness/targets/logto/run-alone.ts';
import { SharedAccountCenter } from '../../harness/targets/logto/shared-account-center.ts';
import { SharedSignInExperience } from '../../harness/targets/logto/shared-sign-in-experience.ts';

// Scenarios through Logto run in parallel (-p N): what they share in Logto is a read-modify-write
// over HTTP. A stand-in for Logto's storage of the two settings, each call taking a turn of the
// event loop as an HTTP call does, so unserialised changes interleave and lose each other.

type Settings = Record<string, unknown>;

function settingsStore(initial: { signIn: Settings; accountCenter: Settings }) {
  const state = structuredClone(initial);
  const patches: Array<{ what: string; patch: Settings }> = [];
  let reads = 0;
  // The social connectors Logto has, by target: a PATCH keeps only their targets, as Logto's does.
  const connectors = new Set<string>((initial.signIn.socialSignInConnectorTargets as string[] | undefined) ?? []);
  const read = async (what: 'signIn' | 'accountCenter') => {
    await tick();
    reads += what === 'signIn' ? 1 : 0;
    return structuredClone(state[what]);
  };
  const write = async (what: 'signIn' | 'accountCenter', patch: Settings) => {
    await tick();
    patches.push({ what, patch });
    const targets = patch.socialSignInConnectorTargets as string[] | undefined;
    Object.assign(
      state[what],
      structuredClone(
        targets ? { ...patch, socialSignInConnectorTargets: targets.filter((t) => connectors.has(t)) } : patch,
      ),
    );
    return structuredClone(state[what]);
  };
  /** Logto's DELETE /api/connectors/:id: the connector gone, then its own read-modify-write of the targets. */
  const deleteConnector = async (target: string) => {
    connectors.delete(target);
    await tick();
    const targets = (state.signIn.socialSignInConnectorTargets as string[]).filter((t) => connectors.has(t));
    await tick();
    state.signIn.socialSignInConnectorTargets = targets;
  };
  const management = {
    getSignInExperience: () => read('signIn'),
    patchSignInExperience: (patch: Settings) => write('signIn', patch),
    getAccountCenter: () => read('accountCenter'),
    patchAccountCenter: (patch: Settings) => write('accountCenter', patch),
  } as unknown as ManagementClient;
  return {
    state,
    patches,
    management,
    connectors,
    deleteConnector,
    reads: () => reads,
    signInPatches: () => patches.filter((patch) => patch.what === 'signIn').length,
  };
}

const ORIGINAL_SOCIAL = { skipRequiredIdentifiers: false, automaticAccountLinking: true };

describe('SharedSignInExperience: scenarios add their targets in batches, a connector deletion takes its own off', () => {
  it('keeps every target of scenarios running at once in few PATCHes, and restores the settings with the run', async () => {
    const store = settingsStore({
      signIn: { socialSignInConnectorTargets: ['github'], socialSignIn: ORIGINAL_SOCIAL },
      accountCenter: {},
    });
    const runCleanup = new CleanupStack(() => {});
    const shared = new SharedSignInExperience(store.management, runCleanup);
    const targets = ['harness-r-1', 'harness-r-2', 'harness-r-3', 'harness-r-4'];
    targets.forEach((target) => store.connectors.add(target));
    await Promise.all(targets.map((target) => shared.add(target)));
    expect(store.state.signIn.socialSignInConnectorTargets).toEqual(['github', ...targets]);
    expect(store.state.signIn.socialSignIn).toEqual({ ...ORIGINAL_SOCIAL, skipRequiredIdentifiers: true });
    // The first add alone (after the one GET), the three that came while it ran together.
    expect([store.reads(), store.signInPatches()]).toEqual([1, 2]);

    // One scenario ends while another starts: Logto's own removal of the deleted connector's target never
    // runs beside the PATCH that adds the new one, so neither undoes the other.
    store.connectors.add('harness-r-5');
    await Promise.all([
      shared.deleteConnector('harness-r-2', () => store.deleteConnector('harness-r-2')),
      shared.add('harness-r-5'),
    ]);
    expect(store.state.signIn.socialSignInConnectorTargets).toEqual([
      'github',
      'harness-r-1',
      'harness-r-3',
      'harness-r-4',
      'harness-r-5',
    ]);
    expect([store.reads(), store.signInPatches()]).toEqual([1, 3]);

    await Promise.all(
      ['harness-r-1', 'harness-r-3', 'harness-r-4', 'harness-r-5'].map((target) =>
        shared.deleteConnector(target, () => store.deleteConnector(target)),
      ),
    );
    expect(store.state.signIn.socialSignInConnectorTargets).toEqual(['github']);
    await runCleanup.drain();
    expect(store.state.signIn).toEqual({ socialSignInConnectorTargets: ['github'], socialSignIn: ORIGINAL_SOCIAL });
  });
});

describe('CleanupStack: what a scenario made goes side by side', () => {
  it('starts every step at once, and a failing one neither stops the others nor the drain', async () => {
    const lines: string[] = [];
    const cleanup = new CleanupStack((line) => lines.push(line));
    const started: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    cleanup.push('delete connector c1', () => {
      started.push('connector');
      return Promise.reject(new Error('409 busy'));
    });
    cleanup.push('delete user u1', async () => {
      started.push('user');
      await gate;
    });
    const drained = cleanup.drain();
    await tick();
    expect(started.sort()).toEqual(['connector', 'user']);
    open();
    await drained;
    expect(lines).toEqual(['cleanup: could not delete connector c1: 409 busy']);
    // Drained once: a second drain has nothing left.
    await cleanup.drain();
    expect(lines).toHaveLength(1);
  });
});

describe('SharedAccountCenter: open as far as any scenario needs, until the run ends', () => {
  it('turns it on once, adds the social Edit for a linking scenario, and restores it with the run', async () => {
    const store = settingsStore({ signIn: {}, accountCenter: { enabled: false, fields: { email: 'ReadOnly' } } });
    const cleanup = new CleanupStack(() => {});
    const shared = new SharedAccountCenter(store.management, cleanup);
    await Promise.all([
      shared.open(),
      shared.open({ socialEdit: true }),
      shared.open(),
      shared.open({ socialEdit: true }),
    ]);
    expect(store.state.accountCenter).toEqual({ enabled: true, fields: { email: 'ReadOnly', social: 'Edit' } });
    // A token-storage scenario after a linking one does not take the Edit away from a linking one still running.
    await shared.open();
    expect(store.state.accountCenter).toEqual({ enabled: true, fields: { email: 'ReadOnly', social: 'Edit' } });
    expect(store.patches.length).toBeLessThanOrEqual(2);

    await cleanup.drain();
    expect(store.state.accountCenter).toEqual({ enabled: false, fields: { email: 'ReadOnly' } });
  });
});

describe('SlotPool: the IdP container’s free slot ports', () => {
  it('hands out each port once, reuses a freed one last, and makes a take wait for a port given back', async () => {
    const pool = new SlotPool([4001, 4002]);
    expect([await pool.take(), await pool.take()]).toEqual([4001, 4002]);
    let third: number | undefined;
    const waiting = pool.take().then((port) => (third = port));
    await tick();
    expect(third).toBeUndefined();
    pool.give(4002);
    await waiting;
    expect(third).toBe(4002);
    pool.give(4001);
    pool.give(4002);
    expect(await pool.take()).toBe(4001);
  });
});

describe('ScenarioLock: scenarios share the run, one racing its token expiry runs alone', () => {
  it('lets shared ones run together, starts a lone one once they ended, and holds later ones until it ended', async () => {
    const lock = new ScenarioLock();
    const events: string[] = [];
    const first = await lock.acquire(false);
    const second = await lock.acquire(false);
    const alone = lock.acquire(true).then((release) => (events.push('alone starts'), release));
    const later = lock.acquire(false).then((release) => (events.push('later starts'), release));
    await tick();
    expect(events).toEqual([]);
    first();
    await tick();
    expect(events).toEqual([]);
    second();
    const releaseAlone = await alone;
    await tick();
    expect(events).toEqual(['alone starts']);
    releaseAlone();
    (await later)();
    expect(events).toEqual(['alone starts', 'later starts']);
  });
});

describe('raceWindow: a scenario racing its token expiry runs alone only from its sign-in to its first read', () => {
  it('waits for the running ones, holds later ones during the stretch, and lets them run during its waits', async () => {
    const lock = new ScenarioLock();
    const events: string[] = [];
    const running = await lock.acquire(false);
    const race = raceWindow(lock);
    const entered = race.enter().then(() => events.push('race signs in'));
    const later = lock.acquire(false).then((release) => (events.push('later starts'), release));
    await tick();
    expect(events).toEqual([]);
    running();
    await entered;
    await tick();
    expect(events).toEqual(['race signs in']);
    // Its first read answered: it waits for the expiry beside the others.
    race.leave();
    const releaseLater = await later;
    expect(events).toEqual(['race signs in', 'later starts']);
    const another = await lock.acquire(false);
    // Leaving twice (the first read, then the scenario's end) frees nobody else's hold; entering after is a no-op.
    race.leave();
    await race.enter();
    const racer = lock.acquire(true).then(() => events.push('next race'));
    await tick();
    expect(events).toEqual(['race signs in', 'later starts']);
    releaseLater();
    another();
    await racer;
    expect(events).toEqual(['race signs in', 'later starts', 'next race']);
  });

  it('gives the lock straight back when the scenario ended while its stretch still waited for it', async () => {
    const lock = new ScenarioLock();
    const running = await lock.acquire(false);
    const race = raceWindow(lock);
    const entered = race.enter();
    race.leave();
    running();
    await entered;
    // Not held by the race: a later one gets the lock alone.
    const next = await Promise.race([
      lock.acquire(true).then(() => 'granted'),
      tick()
        .then(() => tick())
        .then(() => 'stuck'),
    ]);
    expect(next).toBe('granted');
  });
});
