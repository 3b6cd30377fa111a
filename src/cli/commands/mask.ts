/**
 * `pitcrew mask`: filters stdin to stdout with every secret masked. Also
 * holds the --secret-env / --secrets-file options that `pitcrew exec` shares.
 * It must register every secret before the first byte is copied.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { registerEnvSecrets, registerSecretsFile } from '../../mask/sources.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export interface SecretFlags {
  secretEnv?: string[];
  secretsFile?: string;
}

/** Adds `--secret-env NAME` (repeatable) and `--secrets-file FILE` to a command. */
export function secretOptions(cmd: Command): Command {
  return cmd
    .option('--secret-env <name>', 'mask the value of this environment variable (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--secrets-file <file>', 'mask every secret in this file: one per line, or KEY=value lines');
}

/** Registers the secrets named by the flags with the invocation's masker. */
export function registerFlagSecrets(ctx: CliContext, flags: SecretFlags): void {
  registerEnvSecrets(ctx.masker, ctx.env, flags.secretEnv ?? [], true);
  if (flags.secretsFile !== undefined) registerSecretsFile(ctx.masker, flags.secretsFile, ctx.io.cwd);
}

export function register(program: Command, run: CommandRunner): void {
  secretOptions(
    program
      .command('mask')
      .description('copy stdin to stdout with every secret masked')
      .addHelpText('after', '\nExample:\n  ./deploy.sh 2>&1 | pitcrew mask --secret-env DB_PASSWORD --secrets-file .secrets\n'),
  ).action(
    run(async (ctx, cmd) => {
      registerFlagSecrets(ctx, cmd.opts<SecretFlags>());
      const decoder = new StringDecoder('utf8');
      for await (const chunk of ctx.io.stdin) {
        ctx.io.stdout.write(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
      }
      ctx.io.stdout.write(decoder.end());
      return ExitCode.ok;
    }),
  );
}
