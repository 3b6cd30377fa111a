/**
 * `pitcrew config check [FILE]`: validates the configuration and prints it
 * resolved (defaults applied, durations in ms, sizes in bytes) as YAML, or
 * JSON with --json. Every secret value is replaced with `***` before
 * printing; this command must never print a secret, even on error.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ExitCode } from '../../errors.js';
import { isConfigError, redact, secretRefs } from '../../config/index.js';
import { loadCliConfig } from '../load-config.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  const config = program.command('config').description('inspect the configuration file');
  config
    .command('check')
    .argument('[file]', 'configuration file (default: --config, $PITCREW_CONFIG, else ./pitcrew.yml)')
    .description('validate the configuration and print it resolved, secrets masked (exit 2 on problems)')
    .action(run((ctx, cmd) => configCheck(ctx, cmd.args[0])));
}

export async function configCheck(ctx: CliContext, file: string | undefined): Promise<number> {
  const path = file === undefined ? ctx.globals.configPath : resolve(ctx.io.cwd, file);
  let loaded;
  try {
    loaded = await loadCliConfig(ctx, path);
  } catch (err) {
    if (!ctx.globals.json || !isConfigError(err)) throw err;
    ctx.io.stdout.write(JSON.stringify({ ok: false, path, problems: err.problems }) + '\n');
    ctx.io.stderr.write(`pitcrew: ${err.message}\n`);
    return ExitCode.usage;
  }
  const set = new Set(loaded.secrets.map((s) => s.name));
  const warnings = secretRefs(loaded.config)
    .filter((r) => !set.has(r.name))
    .map((r) => `secret variable ${r.name} (named by ${r.source}) is not set`);
  const config = redact(loaded.config, loaded.secrets.map((s) => s.value));
  for (const w of warnings) ctx.io.stderr.write(`warning: ${w}\n`);
  if (ctx.globals.json) {
    ctx.io.stdout.write(JSON.stringify({ ok: true, path, warnings, config }) + '\n');
  } else {
    ctx.io.stderr.write(`${path}: configuration is valid\n`);
    ctx.io.stdout.write(stringify(config));
  }
  return ExitCode.ok;
}
