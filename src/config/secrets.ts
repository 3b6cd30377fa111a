/**
 * Which environment variables hold secrets, their values, and structural
 * redaction. A variable is secret when it is listed in `secrets` or named by
 * a secret-bearing key (tokenEnv, webhookSecretEnv, server.tokens[].env,
 * privateKeyEnv, passphraseEnv, a notifier's secretEnv/urlEnv). This module
 * must never return or print a value except to the caller that asked for it.
 */
import type { Env } from '../cli/io.js';
import { isPlainObject } from './fields.js';
import { formatPath, type KeyPath } from './locate.js';
import { DEFAULT_TOKEN_ENV, DEFAULT_WEBHOOK_SECRET_ENV } from './schema.js';

export interface SecretRef {
  /** The variable's name. */
  name: string;
  /** The key path that names it, e.g. `github.tokenEnv`. */
  source: string;
}

export interface Secret extends SecretRef {
  value: string;
}

/**
 * Every secret-bearing variable a configuration names, first source wins.
 * Reads parsed and raw (not yet valid) configurations alike, so errors in an
 * invalid file can be redacted too.
 */
export function secretRefs(config: unknown): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  const add = (value: unknown, path: KeyPath, fallback?: string) => {
    const name = value === undefined ? fallback : value;
    if (typeof name === 'string' && name !== '' && !refs.has(name)) refs.set(name, { name, source: formatPath(path) });
  };
  if (!isPlainObject(config)) return [];
  list(config.secrets).forEach((s, i) => add(s, ['secrets', i]));
  if (isPlainObject(config.github)) {
    add(config.github.tokenEnv, ['github', 'tokenEnv'], DEFAULT_TOKEN_ENV);
    add(config.github.webhookSecretEnv, ['github', 'webhookSecretEnv'], DEFAULT_WEBHOOK_SECRET_ENV);
  }
  if (isPlainObject(config.server)) {
    list(config.server.tokens).forEach((t, i) => isPlainObject(t) && add(t.env, ['server', 'tokens', i, 'env']));
  }
  if (isPlainObject(config.environments)) {
    for (const [env, e] of Object.entries(config.environments)) {
      if (!isPlainObject(e)) continue;
      list(e.targets).forEach((t, i) => {
        if (!isPlainObject(t)) return;
        add(t.privateKeyEnv, ['environments', env, 'targets', i, 'privateKeyEnv']);
        add(t.passphraseEnv, ['environments', env, 'targets', i, 'passphraseEnv']);
      });
      list(e.notifications).forEach((n, i) => {
        if (!isPlainObject(n)) return;
        add(n.secretEnv, ['environments', env, 'notifications', i, 'secretEnv']);
        add(n.urlEnv, ['environments', env, 'notifications', i, 'urlEnv']);
      });
    }
  }
  return [...refs.values()];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The refs whose variables are set, with their values; unset ones are left out. */
export function resolveSecrets(refs: readonly SecretRef[], env: Env): Secret[] {
  const out: Secret[] = [];
  for (const ref of refs) {
    const value = Object.hasOwn(env, ref.name) ? env[ref.name] : undefined;
    if (typeof value === 'string' && value !== '') out.push({ ...ref, value });
  }
  return out;
}

/** Replaces every occurrence of each secret value in `text` with `***`, longest first. */
export function maskText(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].filter((v) => v !== '').sort((a, b) => b.length - a.length)) {
    out = out.split(v).join('***');
  }
  return out;
}

/** A deep copy of `value` in which every string (and key) holding a secret value has it replaced with `***`,
 * and every number or boolean equal to one (a `${SECRET}` read as a number) becomes `***`. */
export function redact<T>(value: T, values: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, values);
    if ((typeof v === 'number' || typeof v === 'boolean') && values.includes(String(v))) return '***';
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [maskText(k, values), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
