import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { leafPaths } from '../../../harness/checks/leaf-paths.ts';
import { scriptedPerson } from '../../../harness/record/person.ts';
import { recordProvider, verdictLines } from '../../../harness/record/record.ts';
import { expandScenarioPaths, loadScenarios } from '../../../harness/scenario/load.ts';
import { NEVER_BACK_AT_LOGTO } from '../../../harness/observation.ts';
import type { FixtureInput } from '../../../mock-idp/fixture/schema.ts';

// Every shipped scenario's mock IdP played as the "real" provider: OIDC id_token quirks,
// client_secret_jwt through the proxy, customConfig, known-bad configs of every kind.
const files = await expandScenarioPaths(['fixtures/scenarios']);

describe("record every shipped scenario's IdP", { timeout: 180_000 }, () => {
  it("replays each recording with the live verdicts, writing none of the fixture's secrets or user values", async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'recorded-shipped-'));
    const scenarios = await loadScenarios(files);
    expect(scenarios.length).toBeGreaterThan(20);
    const disagreements: string[] = [];
    // Where the IdP refused the authorization request, with an error redirect or without sending the browser back.
    const refusedAtAuthorize: Array<{ file: string; how: string }> = [];
    for (const [index, scenario] of scenarios.entries()) {
      const out = path.join(root, String(index));
      const outcome = await recordProvider({ input: scenario.file, out, person: scriptedPerson() });
      const fixtureText = await readFile(outcome.files.fixture, 'utf8');
      // Nothing the shipped IdPs do is left unreplayed, refusals at authorize included.
      expect(fixtureText, scenario.file).not.toContain('the replay differs there');
      if (outcome.replayDiffers.length > 0 || outcome.replay.status !== 'passed')
        disagreements.push(`${scenario.file}: ${outcome.replayDiffers.join('; ')}`);
      expect(verdictLines(outcome.replay.checks), scenario.file).toEqual(verdictLines(outcome.liveAsRecorded.checks));

      const refused =
        outcome.live.error?.code === NEVER_BACK_AT_LOGTO ||
        outcome.live.checks.some((check) => check.id === 'authorize' && check.status === 'fail');
      if (refused) {
        const written = parse(fixtureText) as FixtureInput;
        const fault = written.faults?.find((candidate) => candidate.endpoint === 'authorize');
        const how = fault?.errorRedirect
          ? `redirect back error=${fault.errorRedirect.error}`
          : fault?.status
            ? `answer ${fault.status}`
            : written.requiredParams?.authorize
              ? 'required parameter'
              : 'nothing';
        expect(how, `${scenario.file}: the refusal at authorize is written as`).not.toBe('nothing');
        refusedAtAuthorize.push({ file: scenario.file, how });
      }

      if (scenario.idp.kind !== 'fixture') continue;
      const fixture = scenario.idp.fixture;
      const forbidden = [
        ...fixture.clients.flatMap((client) => [client.clientSecret ?? '', client.clientId]),
        ...fixture.users.flatMap((user) =>
          leafPaths({ profile: user.profile, claims: user.claims ?? {} }).map((leaf) => String(leaf.value)),
        ),
      ]
        .filter((value) => value.length >= 6 && !/^(true|false|null)$/.test(value))
        // A word the config itself names (Atlassian's account_type "atlassian" in api.atlassian.com) is the config's.
        .filter((value) => !JSON.stringify(scenario.config).includes(value));
      for (const file of [outcome.files.fixture, outcome.files.scenario]) {
        const text = await readFile(file, 'utf8');
        for (const value of forbidden)
          expect(text.includes(value), `${scenario.file} → ${file} holds ${value}`).toBe(false);
      }
    }
    expect(disagreements).toEqual([]);
    // The provider library's IdPs that refuse the generic connector at authorize (X wants PKCE, WeChat
    // reads appid): one of each kind, now replayed as authorize faults.
    const kinds = refusedAtAuthorize.map(({ how }) => how.split(' ')[0]);
    expect(kinds, JSON.stringify(refusedAtAuthorize)).toContain('redirect');
    expect(kinds, JSON.stringify(refusedAtAuthorize)).toContain('answer');
  });
});
