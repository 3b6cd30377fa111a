/**
 * Where secrets come from at the command line: environment variables named
 * explicitly (--secret-env), a secrets file (--secrets-file), and the
 * environment variables pitcrew itself reads secrets from. Loading registers
 * values with the masker and reports problems by name and line, never value.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { SecretMasker } from './masker.js';

/** Environment variables that hold secrets pitcrew itself uses; registered on every run. */
export const WELL_KNOWN_SECRET_ENV = [
  'PITCREW_TOKEN',
  'PITCREW_GITHUB_TOKEN',
  'PITCREW_WEBHOOK_SECRET',
  'PITCREW_SSH_PASSPHRASE',
  'GITHUB_TOKEN',
  'GH_TOKEN',
] as const;

/** Registers the values of the named variables; warns about a named variable that is unset or empty. */
export function registerEnvSecrets(masker: SecretMasker, env: Record<string, string | undefined>, names: readonly string[], explicit: boolean): void {
  for (const name of names) {
    const value = env[name];
    if ((value === undefined || value === '') && explicit) {
      masker.warn(`the environment variable ${name} named by --secret-env is ${value === undefined ? 'not set' : 'empty'}; nothing to mask from it`);
      continue;
    }
    masker.register(value, `$${name}`);
  }
}

const KEY_VALUE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * Registers every secret in a file: one per line, or `KEY=value` lines
 * (`export ` and surrounding quotes allowed). Lines starting with `#` and
 * blank lines are skipped. A `KEY=value` line registers the value and the
 * whole line, since a raw secret may itself contain `=`.
 */
export function registerSecretsFile(masker: SecretMasker, file: string, cwd: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): void {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new UsageError(`cannot read the secrets file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      code: 'secrets-file.unreadable',
      hint: 'check the path given to --secrets-file and that it is readable',
    });
  }
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const where = `${path}:${i + 1}`;
    const kv = KEY_VALUE.exec(line);
    if (kv === null) {
      masker.register(line, where);
      return;
    }
    const value = unquote(kv[2]);
    if (value.length > 0) masker.register(value, `${where} (${kv[1]})`);
    if (value !== line && [...line].length >= 4) masker.register(line, where);
  });
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/** Finds `--token X` / `--token=X` in argv before commander parses it, so that even parse errors are masked. */
export function tokenFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (a === '--token') return argv[i + 1];
    if (a.startsWith('--token=')) return a.slice('--token='.length);
  }
  return undefined;
}
