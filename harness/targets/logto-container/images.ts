import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GenericContainer, getContainerRuntimeClient, ImageName } from 'testcontainers';
import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { UserError, type Problem } from '../../../lib/user-error.ts';
import { imageManifest } from './image-manifest.ts';

/** Builds every local substitute on a machine without a registry (PostgreSQL, sshd, the mock IdP, Logto from source). */
export const BUILD_COMMAND = 'bash containers/build-images.sh';

export type ImageRole = 'logto' | 'postgres' | 'mockIdp' | 'sshd';

interface ImageChoice {
  /** The setting that picks another image. */
  setting: string;
  official: string;
  /** What `containers/build-images.sh` tags, used when the official image is neither here nor pullable. */
  substitute: string;
}

function choiceFor(role: ImageRole): ImageChoice {
  const images = imageManifest();
  switch (role) {
    case 'logto':
      return { setting: 'LOGTO_IMAGE', official: images.OFFICIAL_LOGTO, substitute: images.LOCAL_LOGTO };
    case 'postgres':
      return { setting: 'POSTGRES_IMAGE', official: images.OFFICIAL_POSTGRES, substitute: images.LOCAL_POSTGRES };
    case 'mockIdp':
      return { setting: 'MOCK_IDP_IMAGE', official: defaultMockIdpImage(), substitute: images.LOCAL_MOCK_IDP };
    case 'sshd':
      // testcontainers' own setting for its port forwarder.
      return { setting: 'SSHD_CONTAINER_IMAGE', official: images.OFFICIAL_SSHD, substitute: images.LOCAL_SSHD };
  }
}

/**
 * The mock IdP's image, built from this checkout's mock-idp/Dockerfile when missing. Only Node and
 * the runtime dependencies matter (each container gets this checkout's mock-idp code copied in),
 * so the tag follows package-lock.json and the Dockerfile, not every source change.
 */
function defaultMockIdpImage(): string {
  const hash = createHash('sha256');
  for (const file of ['package-lock.json', 'mock-idp/Dockerfile'])
    hash.update(readFileSync(path.join(PACKAGE_ROOT, file)));
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `connector-harness/mock-idp:${version}-${hash.digest('hex').slice(0, 8)}`;
}

export type ResolvedImages = Record<ImageRole, string>;

async function pull(image: string): Promise<string | undefined> {
  const client = await getContainerRuntimeClient();
  try {
    await client.image.pull(ImageName.fromString(image));
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0]?.trim();
  }
}

/**
 * Which image each role uses, checked before anything starts, so a missing image is one clear
 * error (exit 2, the command that builds it) instead of a pull failure halfway through a start.
 * A setting wins and must exist or be pullable; otherwise the official image when it is here, the
 * local substitute when it is here, else a pull of the official one (the mock IdP: a build).
 */
export async function resolveImages(
  roles: ImageRole[],
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
  { acquire = true }: { acquire?: boolean } = {},
): Promise<ResolvedImages> {
  const client = await getContainerRuntimeClient();
  const exists = (image: string) => client.image.exists(ImageName.fromString(image));
  const resolved: Partial<ResolvedImages> = {};
  const problems: Problem[] = [];
  for (const role of roles) {
    const choice = choiceFor(role);
    const chosen = env[choice.setting];
    if (chosen) {
      if (await exists(chosen)) resolved[role] = chosen;
      else if (!acquire)
        problems.push({
          field: choice.setting,
          message: `image ${chosen} is not on this machine`,
          hint: BUILD_COMMAND,
        });
      else {
        log(`pulling ${chosen} (${choice.setting})`);
        const failure = await pull(chosen);
        if (failure)
          problems.push({
            field: choice.setting,
            message: `image ${chosen} is not on this machine and cannot be pulled (${failure})`,
            hint: `build it, or unset ${choice.setting} to use ${choice.official}; on a machine without a registry: ${BUILD_COMMAND}`,
          });
        else resolved[role] = chosen;
      }
      continue;
    }
    if (await exists(choice.official)) resolved[role] = choice.official;
    else if (await exists(choice.substitute)) {
      log(
        `using the local substitute ${choice.substitute} (${choice.official} is not on this machine; ${choice.setting} picks another)`,
      );
      resolved[role] = choice.substitute;
    } else if (!acquire) {
      problems.push({
        field: choice.setting,
        message: `neither ${choice.official} nor ${choice.substitute} is on this machine`,
        hint: BUILD_COMMAND,
      });
    } else {
      const failure =
        role === 'mockIdp'
          ? await buildMockIdp(choice.official, log)
          : (log(`pulling ${choice.official}`), await pull(choice.official));
      if (failure) {
        problems.push({
          field: choice.setting,
          message:
            `image ${choice.official} is not on this machine and cannot be ${role === 'mockIdp' ? 'built' : 'pulled'} (${failure})` +
            `; neither is the local substitute ${choice.substitute}`,
          hint: `on a machine without a registry, build the substitutes: ${BUILD_COMMAND}; or set ${choice.setting} to an image you have`,
        });
      } else resolved[role] = choice.official;
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  return resolved as ResolvedImages;
}

async function buildMockIdp(tag: string, log: (line: string) => void): Promise<string | undefined> {
  log(`building ${tag} from mock-idp/Dockerfile (once; about a minute)`);
  try {
    await GenericContainer.fromDockerfile(PACKAGE_ROOT, 'mock-idp/Dockerfile').build(tag, { deleteOnExit: false });
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0]?.trim();
  }
}
