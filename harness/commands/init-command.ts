import { Command } from 'commander';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';

async function init(provider: string, flags: { out?: string; force?: boolean }): Promise<void> {
  const { initProvider } = await import('../providers/init.ts');
  const written = await initProvider(provider, flags.out, {
    projectRoot: PACKAGE_ROOT,
    ...(flags.force ? { force: true } : {}),
  });
  console.log(
    `wrote ${path.relative(process.cwd(), written) || written}` +
      `\n  next: connector-harness validate ${path.relative(process.cwd(), written)}` +
      ` && connector-harness run ${path.relative(process.cwd(), written)}`,
  );
}

/** `connector-harness init <provider>`: a starter scenario from the provider library. */
export function makeInitCommand(): Command {
  return new Command('init')
    .description(
      'write a starter scenario for a provider: the working config with comments, the fixture it runs against, what to replace',
    )
    .argument('<provider>', 'a provider id from list-providers, e.g. github, google, entra-id')
    .option('-o, --out <file>', 'where to write it (default: <provider>.scenario.yaml here)')
    .option('-f, --force', 'overwrite an existing file')
    .addHelpText(
      'after',
      '\nExamples:\n  $ connector-harness init github' +
        '\n  $ connector-harness run github.scenario.yaml' +
        '\n  $ connector-harness init entra-id --out scenarios/entra.yaml',
    )
    .action(init);
}
