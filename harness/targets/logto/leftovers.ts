import type { ManagementClient } from '../../logto-api/management-client.ts';
import { isOurs, PREFIX } from './naming.ts';

/** Deletes what a crashed run left behind (found by the harness prefix); returns what it removed. */
export async function removeLeftovers(management: ManagementClient): Promise<string[]> {
  const removed: string[] = [];
  const connectors = (await management.listConnectors()).filter((connector) => isOurs(connector.metadata.target));
  const experience = await management.getSignInExperience();
  const targets = Array.isArray(experience.socialSignInConnectorTargets) ? experience.socialSignInConnectorTargets : [];
  if (targets.some(isOurs)) {
    await management.patchSignInExperience({
      socialSignInConnectorTargets: targets.filter((target) => !isOurs(target)),
    });
    removed.push('sign-in experience targets');
  }
  for (const connector of connectors) {
    await management.deleteConnector(connector.id);
    removed.push(`connector ${connector.metadata.target}`);
  }
  for (const app of (await management.listApplications()).filter((candidate) => isOurs(candidate.name))) {
    await management.deleteApplication(app.id);
    removed.push(`application ${app.name}`);
  }
  // Users created by the harness carry `+harness-<run>` in their email (see naming.ts).
  for (const user of await management.searchUsers(`+${PREFIX}`)) {
    if (user.primaryEmail?.includes(`+${PREFIX}`) || Object.keys(user.identities ?? {}).some(isOurs)) {
      await management.deleteUser(user.id);
      removed.push(`user ${user.id}`);
    }
  }
  return removed;
}
