import { Command } from 'commander';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';

async function listProviders(flags: { json?: boolean }): Promise<void> {
  const { providerListJson, renderProviderList } = await import('../providers/list.ts');
  const { factTallies } = await import('../providers/facts.ts');
  const facts = await factTallies(PACKAGE_ROOT);
  console.log(flags.json ? JSON.stringify(providerListJson(facts), null, 2) : renderProviderList(facts));
}

/** `connector-harness list-providers`: the provider library, one row a provider. */
export function makeListProvidersCommand(): Command {
  return new Command('list-providers')
    .description(
      'list the real providers the library reproduces: does the generic connector work, the config essentials, the traps caught',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ connector-harness list-providers\n  $ connector-harness list-providers --json\n ' +
        ' $ connector-harness init github    # then: connector-harness run github.scenario.yaml',
    )
    .option(
      '--json',
      'print the table as JSON for tools (one object per provider, with its cited and unverified fact counts)',
    )
    .action(listProviders);
}
