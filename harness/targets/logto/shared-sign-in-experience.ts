import type { ManagementClient } from '../../logto-api/management-client.ts';
import { oneAtATime } from './one-at-a-time.ts';
import { signInExperienceChange } from './sign-in-experience.ts';

/**
 * The sign-in experience, which every scenario of a run shares while scenarios run in parallel:
 * each scenario adds its connector target among the social sign-in targets and later removes
 * just that one, each change a read-modify-write done one at a time, so no scenario's change
 * undoes another's. The social sign-in settings (sign-up without a username) are set with the
 * first target and put back as they were with the last one removed.
 */
export class SharedSignInExperience {
  readonly #management: ManagementClient;
  readonly #serial = oneAtATime();
  #open = 0;
  #socialSignIn: Record<string, unknown> | undefined;

  constructor(management: ManagementClient) {
    this.#management = management;
  }

  /** The target on the sign-in experience; resolves once Logto has it. */
  add(target: string): Promise<void> {
    return this.#serial(async () => {
      const change = signInExperienceChange(await this.#management.getSignInExperience(), target);
      if (this.#open === 0) this.#socialSignIn = change.restore.socialSignIn as Record<string, unknown>;
      await this.#management.patchSignInExperience(change.apply);
      this.#open += 1;
    });
  }

  /** The target off the sign-in experience again; the last one out restores the social sign-in settings. */
  remove(target: string): Promise<void> {
    return this.#serial(async () => {
      const current = await this.#management.getSignInExperience();
      const targets = Array.isArray(current.socialSignInConnectorTargets) ? current.socialSignInConnectorTargets : [];
      this.#open -= 1;
      await this.#management.patchSignInExperience({
        socialSignInConnectorTargets: targets.filter((candidate) => candidate !== target),
        ...(this.#open === 0 && this.#socialSignIn ? { socialSignIn: this.#socialSignIn } : {}),
      });
    });
  }
}
