import type { ScenarioResult } from '../../../harness/model.ts';

/** One run of the shipped suite through Logto, shared by the assertions of containers.docker.test.ts. */
export interface SuiteRun {
  results: ScenarioResult[];
  /** The scenario of that exact name, else the one whose name contains it (two would be an error). */
  byName(part: string): ScenarioResult | undefined;
}

export const check = (result: ScenarioResult | undefined, id: string) =>
  result?.checks.find((candidate) => candidate.id === id);

/** What Logto did or stored differently from the in-process prediction (known-bad scenarios fail their other checks on purpose). */
export const findings = (results: ScenarioResult[]) =>
  results.flatMap((result) =>
    result.checks
      .filter((candidate) => candidate.id.startsWith('logto.') && candidate.status === 'fail')
      .map((candidate) => `${result.name}: ${candidate.id}: ${candidate.message}`),
  );

export function suiteRun(results: ScenarioResult[]): SuiteRun {
  return {
    results,
    byName: (part) => {
      const exact = results.find((result) => result.name === part);
      if (exact) return exact;
      const found = results.filter((result) => result.name.includes(part));
      if (found.length > 1)
        throw new Error(`"${part}" names ${found.length} scenarios: ${found.map((r) => r.name).join('; ')}`);
      return found[0];
    },
  };
}
