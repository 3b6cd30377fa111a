import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  fingerprint, hostKeyAlgorithms, judgeHostKey, knownHostsKeys, knownHostsLine, parseKeyLine,
} from '../../src/deploy/transports/ssh-host-key.js';

const run = promisify(execFile);

async function keyLine(type = 'ed25519'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-hostkey-'));
  try {
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, 'k')]);
    return (await readFile(join(dir, 'k.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

test('a key line is parsed only when its blob names the same type; the fingerprint matches ssh-keygen', async () => {
  const line = await keyLine();
  const key = parseKeyLine(`${line} deploy@ci`);
  assert.equal(key?.type, 'ssh-ed25519');
  assert.equal(parseKeyLine(line.replace('ssh-ed25519', 'ssh-rsa')), undefined);
  assert.equal(parseKeyLine('ssh-ed25519 not base64!'), undefined);
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-hostkey-'));
  try {
    await run('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'x', line, join(dir, 'k.pub')]);
    const { stdout } = await run('ssh-keygen', ['-lf', join(dir, 'k.pub')]);
    assert.equal(fingerprint(key!.blob), stdout.split(' ')[1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('known_hosts entries match by plain name on port 22 and by [host]:port elsewhere, with wildcards, negation and hashes', async () => {
  const [a, b, c, d] = await Promise.all([keyLine(), keyLine(), keyLine(), keyLine()]);
  const text = [
    '# comment',
    '',
    `web1.internal,10.0.0.1 ${a}`,
    `[web1.internal]:2222 ${b}`,
    `*.db.internal,!secret.db.internal ${c}`,
    `${hashed('[web2.internal]:2200')} ${d}`,
    `@cert-authority *.internal ${a}`,
    'garbage line',
  ].join('\n');
  const types = (host: string, port: number): string[] => knownHostsKeys(text, host, port).map((k) => k.blob.toString('base64'));
  const b64 = (line: string): string => line.split(' ')[1];
  assert.deepEqual(types('web1.internal', 22), [b64(a)]);
  assert.deepEqual(types('10.0.0.1', 22), [b64(a)]);
  assert.deepEqual(types('web1.internal', 2222), [b64(b)]);
  assert.deepEqual(types('WEB1.internal', 2222), [b64(b)]);
  assert.deepEqual(types('pg.db.internal', 22), [b64(c)]);
  assert.deepEqual(types('secret.db.internal', 22), []);
  assert.deepEqual(types('web2.internal', 2200), [b64(d)]);
  assert.deepEqual(types('web2.internal', 22), []);
  assert.deepEqual(types('other.internal', 22), []);
});

test('the presented key is judged: match, mismatch, unknown host, revoked key', async () => {
  const [a, b] = [parseKeyLine(await keyLine())!, parseKeyLine(await keyLine())!];
  assert.deepEqual(judgeHostKey([a], a.blob), { ok: true });
  assert.deepEqual(judgeHostKey([a], b.blob), { ok: false, reason: 'mismatch', presented: b.blob });
  assert.deepEqual(judgeHostKey([], b.blob), { ok: false, reason: 'unknown', presented: b.blob });
  const revoked = knownHostsKeys(`@revoked host ${a.type} ${a.blob.toString('base64')}\nhost ${b.type} ${b.blob.toString('base64')}`, 'host', 22);
  assert.equal(judgeHostKey(revoked, a.blob).ok, false);
  assert.deepEqual(judgeHostKey(revoked, b.blob), { ok: true });
});

test('only the algorithms of trusted keys are offered, and the line to add names host and port as known_hosts does', async () => {
  const rsa = parseKeyLine(await keyLine('rsa'))!;
  const ed = parseKeyLine(await keyLine())!;
  assert.deepEqual(hostKeyAlgorithms([ed, rsa]), ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  assert.deepEqual(hostKeyAlgorithms([{ ...ed, revoked: true }]), []);
  assert.equal(knownHostsLine('web1', 22, ed.blob), `web1 ssh-ed25519 ${ed.blob.toString('base64')}`);
  assert.equal(knownHostsLine('10.0.0.1', 2222, ed.blob), `[10.0.0.1]:2222 ssh-ed25519 ${ed.blob.toString('base64')}`);
});
