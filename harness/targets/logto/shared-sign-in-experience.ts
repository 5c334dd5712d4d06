import type { ManagementClient } from '../../logto-api/management-client.ts';
import type { CleanupStack } from './cleanup-stack.ts';
import { signInExperienceChange } from './sign-in-experience.ts';

type Settle = { resolve: () => void; reject: (error: unknown) => void };
type Change = ({ kind: 'add'; target: string } | { kind: 'delete'; target: string; run: () => Promise<unknown> }) &
  Settle;

const targetsOf = (experience: Record<string, unknown>): string[] =>
  Array.isArray(experience.socialSignInConnectorTargets) ? (experience.socialSignInConnectorTargets as string[]) : [];

/**
 * The sign-in experience, which every scenario of a run shares while scenarios run in parallel:
 * each scenario's connector target among the social sign-in targets, with sign-up that does not
 * demand a username the IdP cannot provide. Changes are batched: the adds waiting while a change
 * runs go to Logto as ONE PATCH (read back from its answer, not by another GET), so a scenario
 * costs one call here at most. A target comes off when its connector is deleted, through here too:
 * Logto itself drops a deleted social connector's target from the sign-in experience, with a
 * read-modify-write of its own that must never run beside one of these PATCHes, or one undoes the
 * other. The social sign-in settings and the targets the run left are put back when the run ends.
 */
export class SharedSignInExperience {
  readonly #management: ManagementClient;
  readonly #waiting: Change[] = [];
  readonly #added = new Set<string>();
  #busy = false;
  /** The targets as Logto last answered; unknown before the first change. */
  #known: string[] | undefined;
  /** As they were before the run; set with the first PATCH. */
  #socialSignIn: Record<string, unknown> | undefined;
  #opened = false;

  /** `runCleanup`: where the restore goes (none with --keep, which leaves everything as the run made it). */
  constructor(management: ManagementClient, runCleanup?: CleanupStack) {
    this.#management = management;
    runCleanup?.push('restore the sign-in experience', () => this.#restore());
  }

  /** The target on the sign-in experience; resolves once Logto has it. */
  add(target: string): Promise<void> {
    return this.#change({ kind: 'add', target });
  }

  /** Deletes the target's connector (`run`), which takes the target off: never beside a PATCH of the targets. */
  deleteConnector(target: string, run: () => Promise<unknown>): Promise<void> {
    return this.#change({ kind: 'delete', target, run });
  }

  #change(change: { kind: 'add'; target: string } | { kind: 'delete'; target: string; run: () => Promise<unknown> }) {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ ...change, resolve, reject });
      if (!this.#busy) void this.#work();
    });
  }

  async #work(): Promise<void> {
    this.#busy = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0);
      const deletes = batch.filter((change) => change.kind === 'delete');
      // Deletes side by side (each of Logto's own removals only drops targets of connectors gone), then the adds at once.
      await Promise.all(
        deletes.map((change) =>
          change.run().then(() => {
            this.#known = this.#known?.filter((target) => target !== change.target);
            change.resolve();
          }, change.reject),
        ),
      );
      const adds = batch.filter((change) => change.kind === 'add');
      if (adds.length === 0) continue;
      await this.#patch(adds.map((change) => change.target)).then(
        () => adds.forEach((change) => change.resolve()),
        (error: unknown) => adds.forEach((change) => change.reject(error)),
      );
    }
    this.#busy = false;
  }

  async #patch(targets: string[]): Promise<void> {
    let first: Record<string, unknown> | undefined;
    if (!this.#opened || !this.#known) {
      const current = await this.#management.getSignInExperience();
      const change = signInExperienceChange(current, targets[0]!);
      this.#known = targetsOf(current);
      this.#socialSignIn ??= change.restore.socialSignIn as Record<string, unknown>;
      first = change.apply;
    }
    const known = this.#known;
    const answer = await this.#management.patchSignInExperience({
      ...first,
      socialSignInConnectorTargets: [...known, ...targets.filter((target) => !known.includes(target))],
    });
    this.#opened = true;
    for (const target of targets) this.#added.add(target);
    this.#known = targetsOf(answer);
  }

  /** The run's targets off (any a connector deletion left), the social sign-in settings as they were. */
  async #restore(): Promise<void> {
    if (!this.#socialSignIn) return;
    const current = await this.#management.getSignInExperience();
    await this.#management.patchSignInExperience({
      socialSignInConnectorTargets: targetsOf(current).filter((target) => !this.#added.has(target)),
      socialSignIn: this.#socialSignIn,
    });
  }
}
