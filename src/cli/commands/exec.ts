/**
 * `pitcrew exec -- COMMAND [ARGS...]`: runs a command with its stdout and
 * stderr masked, in the order the pipes deliver them, forwards SIGINT and
 * SIGTERM to it, and exits with its exit code (128+signal when it was killed).
 * It must never copy a byte of the child's output around the masker.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { OutputSink } from '../io.js';
import type { CommandRunner } from '../program.js';
import { registerFlagSecrets, secretOptions, type SecretFlags } from './mask.js';

export type SpawnPort = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/** Shell conventions: 127 when the command is not found, 126 when it cannot be run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function register(program: Command, run: CommandRunner, spawn: SpawnPort = nodeSpawn): void {
  secretOptions(
    program
      .command('exec')
      .description('run a command with its stdout and stderr masked; exits with its exit code')
      .argument('<command>', 'the command to run')
      .argument('[args...]', 'its arguments (put -- before the command)')
      .addHelpText('after', '\nExample:\n  pitcrew exec --secret-env DB_PASSWORD -- ./migrate.sh --verbose\n'),
  ).action(
    run(async (ctx, cmd) => {
      registerFlagSecrets(ctx, cmd.opts<SecretFlags>());
      const [command, args] = cmd.processedArgs as [string, string[]];
      return execMasked(ctx, command, args ?? [], spawn);
    }),
  );
}

/** Runs `command` with masked output and returns the exit code to use. */
export function execMasked(ctx: CliContext, command: string, args: string[], spawn: SpawnPort = nodeSpawn): Promise<number> {
  const inheritStdin = ctx.io.stdin === process.stdin;
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      for (const sig of FORWARDED) process.off(sig, forward);
      if (!inheritStdin && child.stdin) ctx.io.stdin.unpipe(child.stdin);
      resolve(code);
    };
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    const child = spawn(command, args, { stdio: [inheritStdin ? 'inherit' : 'pipe', 'pipe', 'pipe'], cwd: ctx.io.cwd, env: ctx.env as NodeJS.ProcessEnv });
    for (const sig of FORWARDED) process.on(sig, forward);
    if (!inheritStdin && child.stdin) {
      child.stdin.on('error', () => undefined);
      ctx.io.stdin.pipe(child.stdin);
    }
    copyMasked(child.stdout, ctx.io.stdout);
    copyMasked(child.stderr, ctx.io.stderr);
    child.on('error', (err: NodeJS.ErrnoException) => {
      const notFound = err.code === 'ENOENT';
      ctx.io.stderr.write(`pitcrew: cannot run ${command}: ${notFound ? 'command not found' : err.message}\n`);
      if (notFound) ctx.io.stderr.write('hint: check the command name and $PATH\n');
      finish(notFound ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
    });
    child.on('close', (code, signal) => {
      finish(signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0));
    });
  });
}

function copyMasked(from: Readable | null, to: OutputSink): void {
  if (from === null) return;
  const decoder = new StringDecoder('utf8');
  from.on('data', (chunk: Buffer) => to.write(decoder.write(chunk)));
  from.on('end', () => to.write(decoder.end()));
}
