import { describe, expect, it } from 'vitest';
import { logtoStatusFor } from '../../harness/errors.ts';

// Logto 1.42 core, middleware/koa-connector-error-handler.ts; `general` seen as 400 from a real Logto
// (GET /api/my-account/identities/:target/access-token when the refresh failed).
describe('logtoStatusFor', () => {
  it.each([
    ['general', 400],
    ['invalid_response', 400],
    ['invalid_config', 400],
    ['invalid_certificate', 400],
    ['template_not_found', 400],
    ['social_auth_code_invalid', 401],
    ['authorization_failed', 401],
    ['not_implemented', 501],
    ['rate_limit_exceeded', 429],
    ['usage_limit_exceeded', 429],
    ['some_future_code', 400],
  ])('%s → %i', (code, status) => expect(logtoStatusFor(code)).toBe(status));
});
