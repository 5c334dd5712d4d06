import { RUNS_FROM_SOURCES } from '../../../lib/package-root.ts';
import { UserError } from '../../../lib/user-error.ts';

/**
 * Logto in containers needs what only a checkout has: each scenario's IdP container gets the mock-idp sources, on an
 * image built from its Dockerfile, and testcontainers is a development dependency.
 */
export function requireCheckout(field: string): void {
  if (RUNS_FROM_SOURCES) return;
  throw new UserError({
    field,
    message:
      'runs from a checkout of logto-connector-harness only (Logto in containers, the IdP image built from the sources)',
    hint: 'start a Logto yourself and use --target logto, or clone the repository and run it there',
  });
}
