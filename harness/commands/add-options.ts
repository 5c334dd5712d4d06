import type { Command, Option } from 'commander';

/** Options made elsewhere (a shared group), added in order: commander's addOption takes one at a time. */
export function addOptions(command: Command, options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}
