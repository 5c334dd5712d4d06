import type { ManagementClient } from '../../logto-api/management-client.ts';
import type { CleanupStack } from './cleanup-stack.ts';
import { oneAtATime } from './one-at-a-time.ts';

/**
 * The account center, which every scenario of a run shares: the Account API serves stored tokens
 * only with it on, and links or unlinks a social identity only with its social field Edit. Opened
 * as far as the first scenario needing each asks, one change at a time, and put back as it was
 * when the run ends (not when that scenario ends: another may be using it in parallel).
 */
export class SharedAccountCenter {
  readonly #management: ManagementClient;
  readonly #runCleanup: CleanupStack;
  readonly #serial = oneAtATime();
  #enabled = false;
  #socialEdit = false;
  #original: { enabled: boolean; fields: Record<string, string> } | undefined;

  constructor(management: ManagementClient, runCleanup: CleanupStack) {
    this.#management = management;
    this.#runCleanup = runCleanup;
  }

  open({ socialEdit = false }: { socialEdit?: boolean } = {}): Promise<void> {
    return this.#serial(async () => {
      if (this.#enabled && (this.#socialEdit || !socialEdit)) return;
      const current = await this.#management.getAccountCenter();
      const fields = current.fields ?? {};
      if (!this.#original) {
        const original = { enabled: current.enabled, fields };
        this.#original = original;
        this.#runCleanup.push('restore the account center', () => this.#management.patchAccountCenter(original));
      }
      const wantsEdit = socialEdit || this.#socialEdit;
      const edit = wantsEdit && fields.social !== 'Edit';
      if (!current.enabled || edit)
        await this.#management.patchAccountCenter({
          enabled: true,
          ...(edit ? { fields: { ...fields, social: 'Edit' } } : {}),
        });
      this.#enabled = true;
      this.#socialEdit = wantsEdit;
    });
  }
}
