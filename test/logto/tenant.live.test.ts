import { describe, it } from 'vitest';
import { expectShippedScenariosPass } from '../helpers/logto-suite.ts';

// A running Logto (self-hosted or a tenant) with an M2M app that has Management API access.
const endpoint = process.env.LOGTO_ENDPOINT;
const m2mAppId = process.env.LOGTO_M2M_APP_ID;
const m2mAppSecret = process.env.LOGTO_M2M_APP_SECRET;
const configured = Boolean(endpoint && m2mAppId && m2mAppSecret);
if (!configured)
  console.log(
    'skipped: live Logto suite — set LOGTO_ENDPOINT, LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (optional: LOGTO_RESOURCE, HARNESS_IDP_PUBLIC_URL) to run it',
  );

describe.skipIf(!configured)(`the shipped scenarios against the Logto at ${endpoint}`, () => {
  it(
    'gives every shipped scenario its documented result, with no finding against the prediction',
    () =>
      expectShippedScenariosPass({
        endpoint: endpoint!,
        m2mAppId: m2mAppId!,
        m2mAppSecret: m2mAppSecret!,
        resource: process.env.LOGTO_RESOURCE ?? 'https://default.logto.app/api',
        ...(process.env.HARNESS_IDP_PUBLIC_URL ? { idpPublicUrl: process.env.HARNESS_IDP_PUBLIC_URL } : {}),
        keep: false,
        log: (line) => console.log(line),
      }),
    600_000,
  );
});
