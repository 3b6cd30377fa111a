/**
 * Reads an ssh target reference (the config's target plus the environment's
 * `path`) into the settings the connection needs, and loads its private key
 * and passphrase from a file or the environment, once per key for a deploy.
 * Must never put a key or a passphrase into an error message.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { UsageError } from '../../errors.js';
import { SshKeyError, type SshWhere } from './ssh-errors.js';
import type { TargetRef } from './transport.js';

export interface SshTarget extends SshWhere {
  user: string;
  /** Folder on the host holding `releases/` and `current`. */
  path: string;
  hostKey?: string;
  knownHostsFile?: string;
  identityFile?: string;
  privateKeyEnv?: string;
  passphraseEnv?: string;
}

function str(target: TargetRef, key: string, required: boolean): string | undefined {
  const v = target[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`target ${target.name}: the ssh transport needs \`${key}\` (a non-empty string)`);
  return v;
}

export function sshTargetOf(target: TargetRef): SshTarget {
  const host = str(target, 'host', true) as string;
  const port = target.port ?? 22;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`target ${target.name}: port ${JSON.stringify(port)} is not a whole number 1..65535`);
  }
  const path = str(target, 'path', true) as string;
  if (!isAbsolute(path)) throw new UsageError(`target ${target.name}: path ${JSON.stringify(path)} must be an absolute path`);
  const t: SshTarget = { target: target.name, host, port, user: str(target, 'user', true) as string, path };
  for (const key of ['hostKey', 'knownHostsFile', 'identityFile', 'privateKeyEnv', 'passphraseEnv'] as const) {
    const v = str(target, key, false);
    if (v !== undefined) t[key] = v;
  }
  if (t.hostKey === undefined && t.knownHostsFile === undefined) {
    throw new UsageError(`target ${target.name}: needs \`hostKey\` or \`knownHostsFile\`: pitcrew never trusts a host key on first use`);
  }
  if (t.identityFile === undefined && t.privateKeyEnv === undefined) {
    throw new UsageError(`target ${target.name}: needs \`identityFile\` or \`privateKeyEnv\` to log in`);
  }
  return t;
}

/**
 * ssh2's hash for a signature when it names none, by key type (as its key
 * parser sets it): ed25519 hashes inside the algorithm, ECDSA by curve size.
 */
const DEFAULT_SIGN_HASH: Record<string, string | null> = {
  'ssh-ed25519': null,
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
  'ssh-rsa': 'sha1',
  'ssh-dss': 'sha1',
};

/**
 * The parsed key with a `sign` that reuses one crypto KeyObject. ssh2's own
 * passes the key's PEM text to crypto.sign, which parses it again for every
 * signature (most of a login's signing time). A key type not in the table
 * keeps ssh2's `sign`.
 */
export function fastSigningKey(parsed: ParsedKey): ParsedKey {
  const hash = DEFAULT_SIGN_HASH[parsed.type];
  if (hash === undefined) return parsed;
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(parsed.getPrivatePEM());
  } catch {
    return parsed;
  }
  // Like ssh2's, it returns (never throws) an error: ssh2 reports it as a failed login.
  const sign = (data: Buffer | string, algo?: string): Buffer | Error => {
    try {
      return cryptoSign(algo !== undefined && algo !== '' ? algo : hash, typeof data === 'string' ? Buffer.from(data) : data, keyObject);
    } catch (err) {
      return err as Error;
    }
  };
  return Object.create(parsed, { sign: { value: sign } }) as ParsedKey;
}

/**
 * Where a login key comes from and how it is unlocked: targets with the same
 * source share one parsed key (the environment is the transport's, fixed).
 */
function keySource(t: SshTarget): string {
  return JSON.stringify([t.identityFile ?? null, t.identityFile === undefined ? t.privateKeyEnv : null, t.passphraseEnv ?? null]);
}

/** A key read and parsed, or why it cannot be used (a problem and a hint, turned into an error per target). */
type KeyOutcome = { key: ParsedKey } | { problem: string; hint: string };

/**
 * Keys already read, by source: a deploy to many targets with one identity
 * file reads, decrypts and parses it once. Held by a transport, so a key file
 * replaced between deploys is read anew.
 */
export type KeyCache = Map<string, Promise<KeyOutcome>>;

async function readKey(t: SshTarget, env: NodeJS.ProcessEnv): Promise<KeyOutcome> {
  let privateKey: Buffer;
  let source: string;
  if (t.identityFile !== undefined) {
    source = `identityFile ${t.identityFile}`;
    try {
      privateKey = await readFile(t.identityFile);
    } catch (err) {
      return { problem: `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, hint: 'check the path and that the deploy user may read the file' };
    }
  } else {
    source = `the key in $${t.privateKeyEnv}`;
    const value = env[t.privateKeyEnv as string] as string;
    privateKey = Buffer.from(value.endsWith('\n') ? value : `${value}\n`);
  }
  const passphrase = t.passphraseEnv === undefined ? undefined : env[t.passphraseEnv];
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error || !parsed.isPrivateKey()) {
    const encrypted = parsed instanceof Error && /encrypted|passphrase|decrypt|bad/i.test(parsed.message);
    const problem = encrypted
      ? (passphrase === undefined ? `${source} is encrypted and no passphraseEnv is configured` : `${source} cannot be decrypted with the passphrase from $${t.passphraseEnv}`)
      : `${source} is not a private key ssh2 can read (OpenSSH, PEM or PPK)`;
    const hint = encrypted ? 'set passphraseEnv to a variable holding the right passphrase' : 'give the private key file, not the .pub file';
    return { problem, hint };
  }
  return { key: fastSigningKey(parsed) };
}

/**
 * Reads the private key and checks it can be decrypted, so a bad passphrase is
 * told apart from a refused login. With `cache`, each source is read once; a
 * failure is still reported per target, naming it.
 */
export async function loadPrivateKey(t: SshTarget, env: NodeJS.ProcessEnv, cache?: KeyCache): Promise<ParsedKey> {
  if (t.identityFile === undefined) {
    const value = env[t.privateKeyEnv as string];
    if (value === undefined || value.trim() === '') {
      throw new SshKeyError(t, `$${t.privateKeyEnv} (privateKeyEnv) is not set`, `set ${t.privateKeyEnv} to the private key (a secret of the CI job)`);
    }
  }
  if (t.passphraseEnv !== undefined && env[t.passphraseEnv] === undefined) {
    throw new SshKeyError(t, `$${t.passphraseEnv} (passphraseEnv) is not set`, `set ${t.passphraseEnv} to the key's passphrase`);
  }
  let outcome: Promise<KeyOutcome>;
  if (cache === undefined) outcome = readKey(t, env);
  else {
    const source = keySource(t);
    outcome = cache.get(source) ?? readKey(t, env);
    cache.set(source, outcome);
  }
  const got = await outcome;
  if ('problem' in got) throw new SshKeyError(t, got.problem, got.hint);
  return got.key;
}
