import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { checkAvatarUrl } from './avatar-url.ts';
import { checkClientAuth } from './client-auth.ts';
import { checkConfigKeys } from './config-keys.ts';
import { checkCustomConfig, checkExpectedParams } from './custom-config.ts';
import { checkEndpointUrls } from './endpoint-urls.ts';
import { checkMismatches } from './mismatch.ts';
import { checkDoubleCredentials } from './double-credentials.ts';
import { checkErrorWith200 } from './error-with-200.ts';
import { checkLink } from './link.ts';
import { checkOidc } from './oidc.ts';
import { checkProfileMap } from './profile-map.ts';
import { checkScope } from './scope.ts';
import { checkSignIn } from './sign-in.ts';
import { checkTokenGuard } from './token-guard.ts';
import { checkTokenRequest } from './token-request.ts';
import { checkTokenResponse } from './token-response.ts';
import { checkTokenStorage } from './token-storage.ts';
import { checkUserinfo } from './userinfo.ts';

/** Every check, in report order. Each is a pure function of the observation. */
export const checks: Array<(observation: Observation) => CheckResult[]> = [
  checkSignIn,
  checkConfigKeys,
  checkEndpointUrls,
  checkScope,
  checkLink,
  checkErrorWith200,
  checkTokenRequest,
  checkTokenResponse,
  checkTokenGuard,
  checkClientAuth,
  checkDoubleCredentials,
  checkCustomConfig,
  checkExpectedParams,
  checkUserinfo,
  checkProfileMap,
  checkAvatarUrl,
  checkTokenStorage,
  checkOidc,
  checkMismatches,
];

export const runChecks = (observation: Observation): CheckResult[] => checks.flatMap((check) => check(observation));
