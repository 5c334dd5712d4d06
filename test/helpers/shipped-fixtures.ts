import { readdirSync } from 'node:fs';

/**
 * Every mock-idp fixture the repository ships: the default, fixtures/idp/, and each scenario's
 * idp/ folder — but not a provider's facts.yaml beside its fixtures (its cited claims, no fixture).
 */
export const SHIPPED_FIXTURES: string[] = [
  'fixtures/default.yaml',
  ...readdirSync('fixtures/idp')
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .map((name) => `fixtures/idp/${name}`),
  ...readdirSync('fixtures/scenarios', { recursive: true, encoding: 'utf8' })
    .filter((name) => /(^|\/)idp\/[^/]+\.(ya?ml|json)$/.test(name) && !name.endsWith('/facts.yaml'))
    .map((name) => `fixtures/scenarios/${name}`),
].sort();
