import { MIN_KNOWN_SECRET } from '../../lib/mask.ts';
import { isRecord } from '../../lib/is-record.ts';
import { secretFormsReplacer } from '../../lib/secret-forms.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import type { Expectation, ScenarioInput } from '../scenario/schema.ts';
import { Placeholders, REMOVED, scrubText } from './anonymize.ts';
import { commentedYaml, REPLAY_COMMAND } from './commented-yaml.ts';
import { missingParam, requiredParams, userinfoSettings } from './endpoint-settings.ts';
import { authorizeRefusal, errorBody, tokenFaults } from './error-answers.ts';
import { isTokenError, parsedBody } from './exchange.ts';
import { liveSecrets, secretsOf, withoutSecrets } from './live-secrets.ts';
import { recordedUser } from './recorded-user.ts';
import {
  FIXTURE_FILE,
  RECORDED_CLIENT_ID,
  RECORDED_CLIENT_SECRET,
  RECORDED_USER,
  type Recording,
  type WritingContext,
} from './recording.ts';
import { recordedScenario } from './scenario-writer.ts';
import { idTokenSettings, tokenSettings } from './token-settings.ts';

// The record tests read exchanges and the recorded client as the writer does.
export { parsedBody } from './exchange.ts';
export { RECORDED_CLIENT_ID } from './recording.ts';

export interface RecordedFiles {
  fixture: FixtureInput;
  scenario: ScenarioInput;
  fixtureYaml: string;
  scenarioYaml: string;
  /** What the fixture cannot reproduce (also written as comments). */
  notes: string[];
  /**
   * The scenario's expectations in the live run's own values (the real profile, not its
   * placeholders): judged with these, the live sign-in must get the verdicts the replay gets.
   */
  liveExpect: Expectation;
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access'];

/** The exchanges by their part in the sign-in, and the one anonymiser every section writes through. */
function contextOf(recording: Recording): WritingContext {
  const { exchanges, config } = recording;
  // The replay reads the profile by profileMap's paths: their keys stay as written, whatever they hold.
  const profileMapKeys = Object.values((config.profileMap ?? {}) as Record<string, unknown>).flatMap((dotPath) =>
    String(dotPath).split('.'),
  );
  const placeholders = new Placeholders({ keepKeys: profileMapKeys });
  const secrets = secretsOf(recording);
  const tokenCalls = exchanges.filter((exchange) => exchange.endpoint === 'token');
  const codeExchange =
    tokenCalls.find((exchange) => exchange.form.grant_type === 'authorization_code') ?? tokenCalls[0];
  const codeBody = codeExchange ? parsedBody(codeExchange) : undefined;
  const refresh = tokenCalls.find((exchange) => exchange.form.grant_type === 'refresh_token');
  const userinfo = exchanges.filter((exchange) => exchange.endpoint === 'userinfo').at(-1);
  return {
    recording,
    placeholders,
    secrets,
    scrub: (text) => scrubText(text, [...secrets, ...placeholders.originals]),
    notes: [],
    tokenCalls,
    ...(codeExchange ? { codeExchange } : {}),
    ...(refresh ? { refresh } : {}),
    ...(userinfo ? { userinfo } : {}),
    ...(codeExchange && !isTokenError(codeExchange) && isRecord(codeBody) ? { tokenBody: codeBody } : {}),
  };
}

/** The recorded client: authenticating as the live one did (or as the config says, when no request showed it). */
function recordedClient({ recording, codeExchange }: WritingContext): FixtureInput['clients'][number] {
  // A request with no client authentication at all ('unknown') says nothing the config does not.
  const seenMethod = codeExchange?.clientAuth?.method;
  const method =
    (seenMethod === 'unknown' ? undefined : seenMethod) ??
    (recording.config.tokenEndpointAuthMethod as 'client_secret_post' | undefined) ??
    'client_secret_post';
  return {
    clientId: RECORDED_CLIENT_ID,
    tokenEndpointAuthMethod: method,
    ...(seenMethod === 'none' ? {} : { clientSecret: RECORDED_CLIENT_SECRET }),
  };
}

/** Says so when the anonymiser kept object keys it could not tell from data. */
function keptKeysNote({ placeholders, notes }: WritingContext): void {
  if (placeholders.keptDataKeys === 0) return;
  const one = placeholders.keptDataKeys === 1;
  notes.push(
    `${placeholders.keptDataKeys} object key${one ? ' that is' : 's that are'} no plain field name (a team's or an account's name?) ` +
      `kept as the IdP sent ${one ? 'it' : 'them'}: none equals or holds a personal value this recording saw; check before committing`,
  );
}

/**
 * The live run → a mock-idp fixture that answers the same way, and a scenario that expects what the live run produced.
 * The sections are written in this order: the anonymiser numbers its placeholders as values meet it.
 */
export function writeRecording(recording: Recording): RecordedFiles {
  const context = contextOf(recording);
  const { config } = recording;
  const { placeholders, secrets, scrub, notes } = context;
  const { profile, user } = recordedUser(context);
  const fixture: FixtureInput = {
    description: `Recorded from ${recording.host} on ${recording.recordedAt.toISOString().slice(0, 10)}`,
    clients: [recordedClient(context)],
    users: [user],
    defaultUser: RECORDED_USER,
    scopes: [
      ...new Set([
        ...DEFAULT_SCOPES,
        ...String(config.scope ?? '')
          .split(/[\s+,]+/)
          .filter(Boolean),
      ]),
    ],
  };
  const idToken = idTokenSettings(recording, context.tokenBody?.id_token, notes);
  if (idToken) fixture.idToken = idToken;
  Object.assign(fixture, tokenSettings(context));
  const userinfo = userinfoSettings(context);
  if (userinfo) fixture.userinfo = userinfo;
  const faults = tokenFaults(context);
  const required = requiredParams(context);
  if (required) fixture.requiredParams = required;
  // A missing parameter is replayed by requiredParams; any other refusal at authorize as a fault.
  if (!missingParam(recording))
    faults.unshift(...authorizeRefusal(recording, (body) => errorBody(body, placeholders, secrets), scrub, notes));
  if (faults.length > 0) fixture.faults = faults;
  keptKeysNote(context);

  const userinfoUrl = typeof config.userInfoEndpoint === 'string' ? new URL(config.userInfoEndpoint) : undefined;
  const recorded = recordedScenario(
    recording,
    profile,
    placeholders,
    userinfoUrl ? `${userinfoUrl.pathname}${userinfoUrl.search}` : '/userinfo',
  );
  // Not the client id: a config may rightly repeat it (Entra's scope api://<client id>/.default), and the replay needs it there.
  // Nor a short secret (a test IdP's "secret"): it would cut words out of the fixture's own values (recorded-client-secret).
  const removeLive = secretFormsReplacer(
    [...liveSecrets(recording)].filter((secret) => secret.length >= MIN_KNOWN_SECRET),
  );
  const remove = (text: string) => removeLive(text, () => REMOVED);
  const written = withoutSecrets({ fixture, scenario: recorded.scenario, notes }, remove);
  return {
    ...written,
    liveExpect: recorded.liveExpect,
    fixtureYaml: commentedYaml(
      recording,
      'mock-idp fixture: what the real IdP answered, shape for shape.',
      written.notes,
      written.fixture,
    ),
    scenarioYaml: commentedYaml(
      recording,
      `Replays the recorded sign-in against ${FIXTURE_FILE}: ${REPLAY_COMMAND}.`,
      [],
      written.scenario,
    ),
  };
}
