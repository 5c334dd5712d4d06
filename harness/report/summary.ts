import type { ScenarioResult } from '../model.ts';

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  caught: number;
}

export function summarize(results: ScenarioResult[]): Summary {
  return {
    total: results.length,
    passed: results.filter((result) => result.status === 'passed').length,
    failed: results.filter((result) => result.status === 'failed').length,
    errors: results.filter((result) => result.status === 'error').length,
    caught: results.filter((result) => result.status === 'passed' && result.knownBad).length,
  };
}
