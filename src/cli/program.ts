/**
 * Builds the commander program. Commands never call process.exit: their
 * action returns an exit code through the runner, and errors are mapped to
 * output and exit codes in one place (main.ts).
 */
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';

/** Wraps a command's body so main() receives its exit code. */
export type CommandRunner = (body: (ctx: CliContext, cmd: Command) => Promise<number> | number) => (...args: unknown[]) => Promise<void>;

export function globalOptions(program: Command): Command {
  return program
    .addOption(new Option('--config <file>', 'configuration file (default: $PITCREW_CONFIG, else ./pitcrew.yml)'))
    .addOption(new Option('--json', 'machine-readable output on stdout; logs go to stderr'))
    .addOption(new Option('--server <url>', 'control-plane server URL (default: $PITCREW_SERVER)'))
    .addOption(new Option('--token <token>', 'API token for the server (default: $PITCREW_TOKEN)'));
}
