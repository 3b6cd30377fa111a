/**
 * Host key policy of the ssh transport: the keys a target is trusted with
 * (its `hostKey` line or its entries in a known_hosts file) and the check of
 * the key a host presents. pitcrew never trusts on first use: a host with no
 * trusted key is refused, and the error shows its fingerprint and the line to
 * add. Must never accept a key it cannot compare byte for byte.
 */
import { createHash, createHmac } from 'node:crypto';

export interface TrustedKey {
  type: string;
  blob: Buffer;
  /** A `@revoked` known_hosts entry: presenting this key is refused. */
  revoked?: boolean;
}

const KEY_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,3})(?: .*)?$/;

/** Parses `TYPE BASE64 [comment]`; undefined when the blob does not name the same type. */
export function parseKeyLine(line: string): TrustedKey | undefined {
  const m = KEY_LINE.exec(line.trim());
  if (m === null) return undefined;
  const blob = Buffer.from(m[2], 'base64');
  return blobType(blob) === m[1] ? { type: m[1], blob } : undefined;
}

/** The key type written at the start of a wire-format public key. */
export function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : undefined;
}

/** OpenSSH's fingerprint: `SHA256:` and unpadded base64 of the key's digest. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The known_hosts line that trusts `blob` for host:port. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${knownHostsName(host, port)} ${blobType(blob) ?? 'unknown'} ${blob.toString('base64')}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split('|');
  if (magic !== '1' || salt === undefined || hash === undefined) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function hostsMatch(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name);
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!globMatch(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** The keys a known_hosts text holds for host:port (plain, `[host]:port`, wildcard and hashed entries). */
export function knownHostsKeys(text: string, host: string, port: number): TrustedKey[] {
  const name = knownHostsName(host, port);
  const keys: TrustedKey[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === '' || words[0].startsWith('#')) continue;
    let revoked = false;
    if (words[0].startsWith('@')) {
      if (words[0] !== '@revoked') continue;
      revoked = true;
      words.shift();
    }
    if (words.length < 3 || !hostsMatch(words[0], name)) continue;
    const key = parseKeyLine(`${words[1]} ${words[2]}`);
    if (key !== undefined) keys.push(revoked ? { ...key, revoked } : key);
  }
  return keys;
}

const ALGORITHMS: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Host key algorithms to offer: only the types of the trusted keys, so the host presents one of those. */
export function hostKeyAlgorithms(keys: TrustedKey[]): string[] {
  const out = new Set<string>();
  for (const k of keys) if (!k.revoked) for (const a of ALGORITHMS[k.type] ?? [k.type]) out.add(a);
  return [...out];
}

export type Verdict = { ok: true } | { ok: false; reason: 'mismatch' | 'unknown' | 'revoked'; presented: Buffer };

/** Judges the key a host presented against the trusted ones. */
export function judgeHostKey(trusted: TrustedKey[], presented: Buffer): Verdict {
  if (trusted.some((k) => k.revoked && k.blob.equals(presented))) return { ok: false, reason: 'revoked', presented };
  const valid = trusted.filter((k) => !k.revoked);
  if (valid.some((k) => k.blob.equals(presented))) return { ok: true };
  return { ok: false, reason: valid.length === 0 ? 'unknown' : 'mismatch', presented };
}
