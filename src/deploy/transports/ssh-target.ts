/**
 * Reads an ssh target reference (the config's target plus the environment's
 * `path`) into the settings the connection needs, and loads its private key
 * and passphrase from a file or the environment. Must never put a key or a
 * passphrase into an error message.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import ssh2 from 'ssh2';
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

export interface LoadedKey {
  privateKey: Buffer;
  passphrase?: string;
}

/** Reads the private key and checks it can be decrypted, so a bad passphrase is told apart from a refused login. */
export async function loadPrivateKey(t: SshTarget, env: NodeJS.ProcessEnv): Promise<LoadedKey> {
  let privateKey: Buffer;
  let source: string;
  if (t.identityFile !== undefined) {
    source = `identityFile ${t.identityFile}`;
    try {
      privateKey = await readFile(t.identityFile);
    } catch (err) {
      throw new SshKeyError(t, `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        'check the path and that the deploy user may read the file');
    }
  } else {
    source = `the key in $${t.privateKeyEnv}`;
    const value = env[t.privateKeyEnv as string];
    if (value === undefined || value.trim() === '') {
      throw new SshKeyError(t, `$${t.privateKeyEnv} (privateKeyEnv) is not set`, `set ${t.privateKeyEnv} to the private key (a secret of the CI job)`);
    }
    privateKey = Buffer.from(value.endsWith('\n') ? value : `${value}\n`);
  }
  let passphrase: string | undefined;
  if (t.passphraseEnv !== undefined) {
    passphrase = env[t.passphraseEnv];
    if (passphrase === undefined) {
      throw new SshKeyError(t, `$${t.passphraseEnv} (passphraseEnv) is not set`, `set ${t.passphraseEnv} to the key's passphrase`);
    }
  }
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error || !parsed.isPrivateKey()) {
    const encrypted = parsed instanceof Error && /encrypted|passphrase|decrypt|bad/i.test(parsed.message);
    const problem = encrypted
      ? (passphrase === undefined ? `${source} is encrypted and no passphraseEnv is configured` : `${source} cannot be decrypted with the passphrase from $${t.passphraseEnv}`)
      : `${source} is not a private key ssh2 can read (OpenSSH, PEM or PPK)`;
    const hint = encrypted ? 'set passphraseEnv to a variable holding the right passphrase' : 'give the private key file, not the .pub file';
    throw new SshKeyError(t, problem, hint);
  }
  return passphrase === undefined ? { privateKey } : { privateKey, passphrase };
}
