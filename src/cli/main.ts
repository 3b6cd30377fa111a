/**
 * The CLI entry point: main(argv, env, io) parses the command line, runs one
 * command and returns its exit code. It never exits the process and maps every
 * error to a message and an exit code here, in one place. Commands only ever
 * see masked output sinks.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { ExitCode, isPitcrewError } from '../errors.js';
import { packageVersion } from '../version.js';
import { commandsFor } from './commands/index.js';
import { resolveGlobals, type CliContext } from './context.js';
import type { Env, Io } from './io.js';
import { globalOptions, type CommandRunner } from './program.js';
import { setupMasking } from './masking.js';

export async function main(argv: string[], env: Env, rawIo: Io): Promise<number> {
  // From here on every byte goes out through the masker.
  const { io, masker, flush, reveal } = setupMasking(argv, env, rawIo);
  try {
    return await runProgram(argv, env, io, masker, reveal);
  } finally {
    flush();
  }
}

async function runProgram(argv: string[], env: Env, io: Io, masker: CliContext['masker'], reveal: CliContext['reveal']): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let json = false;

  const program = createProgram(io);

  const runner: CommandRunner = (body) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const globals = resolveGlobals(cmd.optsWithGlobals(), env, io.cwd);
    json = globals.json;
    masker.register(globals.token, globals.token === env.PITCREW_TOKEN ? '$PITCREW_TOKEN' : '--token');
    const ctx: CliContext = { io, env, globals, masker, reveal };
    exitCode = await body(ctx, cmd);
  };
  const entries = commandsFor(argv);
  if (entries.length === 0) {
    // No command word and --version or -V on the line.
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  try {
    for (const entry of entries) (await entry.load()).register(program, runner);
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io, json || argv.includes('--json'));
  }
}

/** The bare program: name, version, global flags and the exit-code help, no commands yet. */
export function createProgram(io: Pick<Io, 'stdout' | 'stderr'>): Command {
  const program = new Command('pitcrew')
    .description('Keeps self-hosted GitHub Actions runners healthy and makes every production deploy through them safe.')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  globalOptions(program);
  // `--version` is handled before parsing (see runProgram), not as a program option:
  // commander recognizes program options anywhere on the line, and `deploy --version V`
  // must reach the deploy command. It is still listed in the help.
  const versionOption = new Option('-V, --version', 'print the version');
  program.configureHelp({
    visibleOptions: (cmd) => {
      const shown = new Help().visibleOptions(cmd);
      return cmd === program ? [versionOption, ...shown] : shown;
    },
  });
  program.addHelpText('after', EXIT_CODES_HELP);
  return program;
}

function reportError(err: unknown, io: Io, json: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version end with a CommanderError whose exitCode is 0.
    if (err.exitCode === 0) return ExitCode.ok;
    // commander already wrote its message to stderr.
    return ExitCode.usage;
  }
  if (isPitcrewError(err)) {
    if (json) io.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message, hint: err.hint } }) + '\n');
    io.stderr.write(`pitcrew: ${err.message}\n`);
    if (err.hint) io.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`pitcrew: internal error: ${message}\n`);
  return ExitCode.internal;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the operation failed (a deploy: every target is back on its old release)
  2  usage or configuration error
  3  a lock, runner or server was not available in time
  4  a human is needed (a deploy: a rollback did not complete)
  5  internal error
`;
