import { requireHeaders } from './required-headers.ts';

/** GitHub's API refuses requests without a User-Agent header with a 403 and a plain-text reason. */
export const requireUserAgent = (required: boolean) =>
  requireHeaders(
    required
      ? {
          headers: { 'user-agent': true },
          refusal: {
            status: 403,
            body: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
          },
        }
      : undefined,
    'userinfo',
  );
