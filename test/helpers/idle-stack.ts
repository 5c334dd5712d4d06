import { GenericContainer, getContainerRuntimeClient, ImageName } from 'testcontainers';
import { imageManifest, localImage } from '../../harness/targets/logto-container/image-manifest.ts';
import { resolveImages } from '../../harness/targets/logto-container/images.ts';
import { createStackNetwork, stackName } from '../../harness/targets/logto-container/stack-cleanup.ts';

/** A cheap image that has `sleep`: the local Debian base when built, else the PostgreSQL image a stack uses. */
export async function idleImage(): Promise<string> {
  const client = await getContainerRuntimeClient();
  const debian = localImage(imageManifest().LOCAL_DEBIAN);
  if (await client.image.exists(ImageName.fromString(debian))) return debian;
  return (await resolveImages(['postgres'], () => {}, process.env, { acquire: false })).postgres;
}

/** A stack as the sweep sees one: its network and a container doing nothing, both with `labels` (stackLabels). */
export async function startIdleStack(stackId: string, image: string, labels: Record<string, string>): Promise<void> {
  const network = await createStackNetwork(stackId, labels);
  await new GenericContainer(image)
    .withName(`${stackName(stackId)}-idle`)
    .withLabels(labels)
    .withNetwork(network)
    .withEntrypoint(['sleep', 'infinity'])
    .start();
}
