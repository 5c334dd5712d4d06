export { startMockIdp, startValidatedMockIdp } from './server/start.ts';
export { loadFixture, fixtureFromDocument, parseFixture } from './fixture/load.ts';
export { fixtureSchema } from './fixture/schema.ts';
export type {
  Fixture,
  FixtureInput,
  FixtureClient,
  FixtureUser,
  ClientAuthMethod,
  EndpointName,
} from './fixture/schema.ts';
export type { MockIdp, StartOptions } from './api.ts';
export type { Journal, JournalEntry, ClientAuthRecord, AssertionRecord } from './journal.ts';
