import path from 'node:path';
import { z } from 'zod';
import { readStructuredFile, validateDocument } from '../../lib/structured-file.ts';
import { providers, PROVIDERS_DIR, type ProviderEntry } from './catalog.ts';

/**
 * The facts a provider's fixture and scenarios rest on (fixtures/scenarios/providers/<id>/idp/facts.yaml),
 * each with where it comes from: a URL, a path in Logto's own code (`logto:packages/…`), or the word
 * `unverified` (and why). A library that teaches a wrong fact is worse than none, so every one is
 * counted and shown.
 */
const CITATION = /https?:\/\/|\blogto:packages\//;
const UNVERIFIED = /^unverified\b/i;

const fact = z.strictObject({
  claim: z.string().min(1),
  /** What part of the provider it is about (endpoints, token, traps, …). */
  topic: z.string().min(1).optional(),
  source: z
    .string()
    .min(1)
    .refine((source) => UNVERIFIED.test(source) || CITATION.test(source), {
      message: 'a source is a URL, a Logto code path (logto:packages/…), or starts with "unverified"',
    }),
});
const factsFile = z.strictObject({ facts: z.array(fact).min(1) });
export type ProviderFact = z.output<typeof fact>;

/** Cited: names a URL or Logto code and does not say unverified. */
export const isCited = (source: string): boolean => !UNVERIFIED.test(source) && CITATION.test(source);

export interface FactTally {
  cited: number;
  unverified: number;
}

export const factsFileOf = (projectRoot: string, provider: ProviderEntry): string =>
  path.join(projectRoot, PROVIDERS_DIR, provider.id, 'idp', 'facts.yaml');

/** The provider's facts; a malformed file is a located UserError. */
export async function loadProviderFacts(projectRoot: string, provider: ProviderEntry): Promise<ProviderFact[]> {
  const document = await readStructuredFile(factsFileOf(projectRoot, provider));
  return validateDocument(factsFile, document).facts;
}

export const tallyFacts = (facts: ProviderFact[]): FactTally => {
  const cited = facts.filter((entry) => isCited(entry.source)).length;
  return { cited, unverified: facts.length - cited };
};

/** Every provider's tally, by id. */
export async function factTallies(projectRoot: string): Promise<Map<string, FactTally>> {
  const entries = await Promise.all(
    providers.map(
      async (provider) => [provider.id, tallyFacts(await loadProviderFacts(projectRoot, provider))] as const,
    ),
  );
  return new Map(entries);
}
