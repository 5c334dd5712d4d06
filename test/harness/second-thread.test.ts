import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import type { Scenario } from '../../harness/model.ts';
import { secondThread } from '../../harness/targets/in-process/second-thread.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';

const until = async (ready: () => boolean) => {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('the second thread of in-process runs', () => {
  it('observes as the main thread does; a run that throws there fails alone, and the thread goes on', async () => {
    const [scenario] = await loadScenarios(['fixtures/scenarios/github-like.yaml']);
    const source = { projectRoot: PACKAGE_ROOT };
    const session = secondThread().open({ source, kinds: [scenario!.connector] });
    try {
      await until(() => session.available);
      // No such connector package: loading it throws, which reaches the target as that scenario's error.
      const broken = { ...scenario!, connector: 'no-such-kind' } as unknown as Scenario;
      await expect(session.observe(broken)).rejects.toThrow();
      const observed = await session.observe(scenario!);
      expect(observed.checks.find((check) => check.id === 'sign-in')?.status).toBe('pass');
      expect(observed.connectorVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(session.observedCount).toBe(1);
      expect(session.idpsStarted).toBe(1);
    } finally {
      await session.close();
    }
  });

  it('is one per process: a later target opens a session of its own on the same thread', async () => {
    const first = secondThread();
    const session = first.open({ source: { projectRoot: PACKAGE_ROOT }, kinds: [] });
    await until(() => session.available);
    await session.close();
    expect(secondThread()).toBe(first);
    expect(first.alive).toBe(true);
  });
});
