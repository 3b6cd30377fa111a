import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import ssh2 from 'ssh2';
import { TargetError } from '../../src/deploy/errors.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { HostKeyError, SshAuthError, SshKeyError, SshUnreachableError } from '../../src/deploy/transports/ssh-errors.js';
import { transportFor } from '../../src/deploy/transports/registry.js';
import { mapLimit } from '../../src/deploy/transports/ssh-pool.js';
import { sshTransport, type SshTransportOptions } from '../../src/deploy/transports/ssh.js';
import { connectSsh } from '../../src/deploy/transports/ssh-connection.js';
import { ScriptShell } from '../../src/deploy/transports/ssh-shell.js';
import { sshTargetOf } from '../../src/deploy/transports/ssh-target.js';
import { ArtifactUploads } from '../../src/deploy/transports/ssh-upload.js';
import { targetScripts } from '../../src/deploy/transports/target-script.js';
import type { TargetRef } from '../../src/deploy/transports/transport.js';
import { UsageError } from '../../src/errors.js';
import { makeKey, startSshd, type Sshd } from '../support/sshd.js';
import { eventually, makeArtifact, rawTar, sha256, tempDir, tree } from './fixtures.js';

const run = promisify(execFile);
const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
let servers: Sshd[] = [];
let work: { path: string; cleanup: () => Promise<void> };

before(async () => {
  work = await tempDir('pitcrew-ssh-');
  servers = await Promise.all(hosts.map((host) => startSshd({ host })));
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await work?.cleanup();
});

function targetFor(s: Sshd, name: string, path: string, extra: Partial<TargetRef> = {}): TargetRef {
  return { name, host: s.host, port: s.port, user: s.user, hostKey: s.hostKeyLine, identityFile: s.clientKeyPath, path, ...extra };
}

async function folder(name: string): Promise<string> {
  const path = join(work.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

async function fingerprintOf(publicLine: string): Promise<string> {
  const file = join(work.path, `fp-${Math.random().toString(16).slice(2)}.pub`);
  await writeFile(file, `${publicLine}\n`);
  return (await run('ssh-keygen', ['-lf', file])).stdout.split(' ')[1];
}

/** A copy of the server's client key that outlives the server's temp folder. */
async function keepKey(s: Sshd): Promise<string> {
  const copy = join(work.path, `client-${s.port}`);
  await copyFile(s.clientKeyPath, copy);
  return copy;
}

/** The public key line (`TYPE BASE64`) of a private key file. */
async function publicLineOf(privateKey: string): Promise<string> {
  return (await run('ssh-keygen', ['-y', '-f', privateKey])).stdout.trim();
}

/** A transport whose ssh2 clients are counted, to prove connections are reused. */
function countingTransport(opts: SshTransportOptions = {}): { transport: ReturnType<typeof sshTransport>; dials: () => number } {
  let dials = 0;
  const transport = sshTransport({
    ...opts,
    newClient: () => {
      dials += 1;
      return new ssh2.Client();
    },
  });
  return { transport, dials: () => dials };
}

test('deploys to three hosts in parallel over one connection per host, shared by every session on it', async () => {
  const file = await makeArtifact(work.path, 'app-3.0.0.tar.gz', { VERSION: '3.0.0\n' });
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('3.0.0', digest);
  const { transport, dials } = countingTransport();
  const loginsBefore = await Promise.all(servers.map((s) => s.logins()));
  const roots = await Promise.all(servers.map((_, i) => folder(`fleet-${i}`)));
  const outputs = await mapLimit(servers, 2, async (s, i) => {
    const target = targetFor(s, `web-${i + 1}`, roots[i]);
    const session = await transport.open(target);
    const second = await transport.open(target);
    try {
      assert.deepEqual(await session.stage(id, file, digest), { releaseId: id, created: true });
      await session.switchTo(id, 1);
      await second.markRelease(id, 'good');
      const result = await second.run('cat VERSION; echo "$PITCREW_TARGET"', { cwd: 'current' });
      assert.deepEqual(await session.prune(1, []), []);
      return result.stdoutTail;
    } finally {
      await session.close();
      await second.close();
    }
  });
  assert.deepEqual(outputs, ['3.0.0\nweb-1\n', '3.0.0\nweb-2\n', '3.0.0\nweb-3\n']);
  for (const root of roots) assert.equal(await readlink(join(root, 'current')), `releases/${id}`);
  for (const root of roots) assert.deepEqual((await readdir(join(root, '.pitcrew'))).filter((n) => n.startsWith('upload')), []);
  assert.equal(dials(), 3);
  const loginsAfter = await Promise.all(servers.map((s) => s.logins()));
  assert.deepEqual(loginsAfter.map((n, i) => n - loginsBefore[i]), [1, 1, 1]);
  assert.equal(transport.openConnections, 0);
});

test('the upload is unpacked as it arrives, leaving no file on the target, and a staged release is not uploaded again', async () => {
  const root = await folder('upload');
  const file = await makeArtifact(work.path, 'app-4.0.0.tar.gz', { VERSION: '4.0.0\n' });
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('4.0.0', digest);
  const session = await sshTransport().open(targetFor(servers[0], 'web-1', root));
  try {
    await session.stage(id, file, digest);
    assert.deepEqual((await readdir(root)).sort(), ['releases', 'shared']);
    await writeFile(file, 'changed after staging');
    assert.deepEqual(await session.stage(id, file, digest), { releaseId: id, created: false });
  } finally {
    await session.close();
  }
});

test('a host presenting another key than the configured hostKey is refused as HOST KEY MISMATCH with its fingerprint', async () => {
  const s = servers[0];
  const other = await makeKey(work.path, `other-host-${Date.now()}`);
  const expected = await fingerprintOf(s.hostKeyLine);
  await assert.rejects(sshTransport().open(targetFor(s, 'web-1', '/srv/app', { hostKey: other.publicLine })), (err: unknown) =>
    err instanceof HostKeyError && err.reason === 'mismatch' && err.code === 'ssh.host-key-mismatch'
    && err.fingerprint === expected && err.message.includes('HOST KEY MISMATCH') && err.message.includes(expected)
    && err.message.includes(`${s.host}:${s.port}`) && (err.hint ?? '').includes(s.hostKeyLine));
});

test('a host missing from knownHostsFile is refused with its fingerprint and the exact line to add; the line then lets it in', async () => {
  const s = servers[1];
  const knownHosts = join(work.path, 'known_hosts');
  await writeFile(knownHosts, `# fleet\n${s.host} ${s.hostKeyLine}\n[10.0.0.9]:${s.port} ${s.hostKeyLine}\n`);
  const target = targetFor(s, 'web-2', await folder('known'), { hostKey: undefined, knownHostsFile: knownHosts });
  delete target.hostKey;
  const line = `[${s.host}]:${s.port} ${s.hostKeyLine}`;
  let caught: unknown;
  await sshTransport().open(target).catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof HostKeyError && caught.reason === 'unknown', String(caught));
  assert.equal(caught.fingerprint, await fingerprintOf(s.hostKeyLine));
  assert.match(caught.message, new RegExp(`has no entry for \\[${s.host.replace(/\./g, '\\.')}\\]:${s.port}`));
  assert.ok((caught.hint ?? '').endsWith(line), caught.hint);
  await writeFile(knownHosts, `${line}\n`, { flag: 'a' });
  const session = await sshTransport().open(target);
  assert.equal((await session.inspect()).fence, 0);
  await session.close();
});

test('a hashed known_hosts entry (ssh-keygen -H) is honoured', async () => {
  const s = servers[2];
  const knownHosts = join(work.path, 'known_hosts_hashed');
  await writeFile(knownHosts, `[${s.host}]:${s.port} ${s.hostKeyLine}\n`);
  await run('ssh-keygen', ['-H', '-f', knownHosts]);
  assert.match(await readFile(knownHosts, 'utf8'), /^\|1\|/);
  const target = targetFor(s, 'web-3', await folder('hashed'), { knownHostsFile: knownHosts });
  delete target.hostKey;
  const session = await sshTransport().open(target);
  assert.deepEqual((await session.inspect()).releases, []);
  await session.close();
});

test('a key the host does not accept is an authentication error naming user and host:port', async () => {
  const s = servers[0];
  const stranger = await makeKey(work.path, `stranger-${Date.now()}`);
  await assert.rejects(sshTransport().open(targetFor(s, 'web-1', '/srv/app', { identityFile: stranger.path })), (err: unknown) =>
    err instanceof SshAuthError && err.code === 'ssh.auth' && err.exitCode === 1
    && err.message === `target web-1 (${s.host}:${s.port}): authentication as root failed: the host refused the key`);
});

test('a stopped sshd is a connection-refused error naming host:port', async () => {
  const gone = await startSshd();
  const target = targetFor(gone, 'web-9', '/srv/app', { identityFile: await keepKey(gone) });
  await gone.stop();
  await assert.rejects(sshTransport({ connectTimeoutMs: 5000 }).open(target), (err: unknown) =>
    err instanceof SshUnreachableError && err.reason === 'refused' && err.code === 'ssh.refused' && err.exitCode === 3
    && err.message.includes(`${gone.host}:${gone.port}`) && /sshd runs on/.test(err.hint ?? ''));
});

test('a passphrase-protected key from privateKeyEnv logs in; a wrong passphrase never shows up in the error', async () => {
  const s = servers[1];
  const passphrase = 'correct horse battery staple';
  const key = await makeKey(work.path, `locked-${Date.now()}`, passphrase);
  await s.authorize(key.publicLine);
  const pem = await readFile(key.path, 'utf8');
  const root = await folder('locked');
  const base = targetFor(s, 'web-2', root, { privateKeyEnv: 'DEPLOY_KEY', passphraseEnv: 'DEPLOY_KEY_PASSPHRASE' });
  delete base.identityFile;
  const ok = await sshTransport({ env: { DEPLOY_KEY: pem, DEPLOY_KEY_PASSPHRASE: passphrase } }).open(base);
  assert.equal((await ok.inspect()).fence, 0);
  await ok.close();
  const wrong = 'tr0ub4dor&3-not-it';
  let caught: unknown;
  await sshTransport({ env: { DEPLOY_KEY: pem, DEPLOY_KEY_PASSPHRASE: wrong } }).open(base).catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof SshKeyError, String(caught));
  assert.match(caught.message, /cannot be decrypted with the passphrase from \$DEPLOY_KEY_PASSPHRASE/);
  const everything = [caught.message, caught.hint, caught.stack, JSON.stringify(caught), String(caught.cause)].join('\n');
  for (const secret of [wrong, passphrase, pem.split('\n')[1]]) assert.ok(!everything.includes(secret), 'a secret leaked into the error');
  let unset: unknown;
  await sshTransport({ env: { DEPLOY_KEY: pem } }).open(base).catch((err: unknown) => (unset = err));
  assert.ok(unset instanceof SshKeyError && /DEPLOY_KEY_PASSPHRASE \(passphraseEnv\) is not set/.test(unset.message), String(unset));
});

test('run passes values with quotes and spaces intact and refuses a variable name the shell cannot take', async () => {
  const root = await folder('env');
  const file = await makeArtifact(work.path, 'app-5.0.0.tar.gz', { VERSION: '5.0.0\n' });
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('5.0.0', digest);
  const session = await sshTransport().open(targetFor(servers[2], 'web-3', root));
  try {
    await session.stage(id, file, digest);
    const value = `a 'quoted' "value"; $(echo not run) \`x\``;
    const result = await session.run('printf %s "$WEIRD"', { cwd: 'release', release: id, env: { WEIRD: value } });
    assert.equal(result.stdoutTail, value);
    await assert.rejects(session.run('true', { cwd: 'release', release: id, env: { 'BAD NAME': 'x' } }), (err: unknown) =>
      err instanceof UsageError && err.message.startsWith('target web-3: environment variable name "BAD NAME" is not valid'));
  } finally {
    await session.close();
  }
});

test('a connection lost under a session fails the running command and the next operation with a typed error, and a new session dials again', async () => {
  const s = await startSshd();
  const root = await folder('lost');
  const { transport, dials } = countingTransport({ connectTimeoutMs: 5000 });
  const target = targetFor(s, 'web-7', root, { identityFile: await keepKey(s) });
  await mkdir(join(root, 'releases', `1.0.0-${'a'.repeat(12)}`), { recursive: true });
  const session = await transport.open(target);
  const running = session.run('echo started; sleep 5', {
    cwd: 'release', release: `1.0.0-${'a'.repeat(12)}`, onOutput: () => void s.stop(),
  });
  await assert.rejects(running, (err: unknown) => err instanceof SshUnreachableError && err.reason === 'closed' && /outcome on the host is unknown/.test(err.message));
  await assert.rejects(session.inspect(), (err: unknown) => err instanceof SshUnreachableError && err.message.includes(`${s.host}:${s.port}`));
  await session.close();
  await assert.rejects(transport.open(target), (err: unknown) => err instanceof SshUnreachableError && err.reason === 'refused');
  assert.equal(dials(), 2);
});

test('the registry hands out the ssh transport, which refuses a target without a trusted host key before dialing', async () => {
  const transport = transportFor('ssh');
  assert.equal(transport.kind, 'ssh');
  const target = targetFor(servers[0], 'web-1', '/srv/app');
  delete target.hostKey;
  await assert.rejects(transport.open(target), (err: unknown) =>
    err instanceof UsageError && /target web-1: needs `hostKey` or `knownHostsFile`: pitcrew never trusts a host key on first use/.test(err.message));
  await assert.rejects(transport.open({ ...targetFor(servers[0], 'web-1', 'srv/app') }), /path "srv\/app" must be an absolute path/);
});

test('a host that accepts the connection but never speaks ssh is a timeout error naming host:port', async (t) => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.2', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  const target = { ...targetFor(servers[0], 'web-8', '/srv/app'), port };
  await assert.rejects(sshTransport({ connectTimeoutMs: 300 }).open(target), (err: unknown) =>
    err instanceof SshUnreachableError && err.reason === 'timeout' && err.message.includes(`127.0.0.2:${port}`));
});

/** An unprivileged login user with a shell whose account is not locked (sshd refuses those without PAM), if there is one. */
function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  const shadow = existsSync('/etc/shadow') ? readFileSync('/etc/shadow', 'utf8') : '';
  const locked = new Set(shadow.split('\n').filter((l) => l.split(':')[1]?.startsWith('!')).map((l) => l.split(':')[0]));
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid, , home, shell] = line.split(':');
    if (Number(uid) >= 1000 && Number(uid) < 65534 && /\/(ba|da)?sh$/.test(shell ?? '') && existsSync(home ?? '/nonexistent') && !locked.has(name)) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

test('an unprivileged deploy user stages and runs in a folder it owns', { skip: unprivilegedUser() === undefined && 'no unlocked unprivileged user with a shell here' }, async (t) => {
  const user = unprivilegedUser()!;
  const s = await startSshd({ user: user.name });
  t.after(() => s.stop());
  const base = await mkdtemp(join(tmpdir(), 'pitcrew-ssh-user-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  await chmod(base, 0o755);
  const root = join(base, 'app');
  await mkdir(root);
  await chown(root, user.uid, user.gid);
  const file = await makeArtifact(work.path, 'app-6.0.0.tar.gz', { VERSION: '6.0.0\n' });
  await chmod(file, 0o644);
  await chmod(work.path, 0o755);
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('6.0.0', digest);
  const session = await sshTransport().open(targetFor(s, 'web-u', root));
  try {
    assert.equal((await session.stage(id, file, digest)).created, true);
    await session.switchTo(id, 1);
    const result = await session.run('id -u; cat VERSION', { cwd: 'current' });
    assert.equal(result.stdoutTail, `${user.uid}\n6.0.0\n`);
    assert.equal((await stat(join(root, 'releases', id))).uid, user.uid);
  } finally {
    await session.close();
  }
});

test('the script shell ends when its input ends, and the connection stays up', async () => {
  const s = servers[0];
  const root = await folder('shell-end');
  const t = sshTargetOf(targetFor(s, 'web-1', root));
  const conn = await connectSsh(t);
  try {
    const shell = new ScriptShell(conn);
    const out = await shell.run([{ fn: 'inspect', args: [root] }]);
    assert.deepEqual([out.exitCode, out.stdout], [0, 'fence 0\n']);
    // A loop that missed its end of input would spin until the connection closed: close() would never resolve.
    const ended = await Promise.race([shell.close().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 20_000, 'still running').unref())]);
    assert.equal(ended, 'closed');
    assert.deepEqual([shell.closed, conn.closed], [true, false]);
  } finally {
    await conn.end();
  }
});

test('one transport reads the artifact once: every target gets the verified bytes, whatever the file holds after the first read', async () => {
  const file = await makeArtifact(work.path, 'app-7.0.0.tar.gz', { VERSION: '7.0.0\n' });
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('7.0.0', digest);
  const transport = sshTransport();
  const roots = await Promise.all(servers.map((_, i) => folder(`once-${i}`)));
  const sessions = await Promise.all(servers.map((s, i) => transport.open(targetFor(s, `web-${i + 1}`, roots[i]))));
  try {
    assert.equal((await sessions[0].stage(id, file, digest)).created, true);
    await writeFile(file, 'replaced after the first target was staged');
    for (const s of sessions.slice(1)) assert.equal((await s.stage(id, file, digest)).created, true);
    for (const root of roots) assert.equal(await readFile(join(root, 'releases', id, 'VERSION'), 'utf8'), '7.0.0\n');
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await transport.closeAll();
  }
  // The next deploy (a new transport) reads the file again and refuses the bytes it holds now.
  const next = await sshTransport().open(targetFor(servers[0], 'web-1', await folder('once-next')));
  try {
    await assert.rejects(next.stage(id, file, digest), (err: unknown) =>
      err instanceof TargetError && err.code === 'target.digest' && err.message.startsWith(`target web-1: artifact ${file} has digest `)
      && err.message.includes(`expected ${digest}: it changed since it was verified`));
  } finally {
    await next.close();
  }
});

test('an artifact past the buffer limit is streamed and hashed per target; one that changes while it is sent is refused and leaves nothing', async () => {
  const file = await makeArtifact(work.path, 'app-8.0.0.tar.gz', { VERSION: '8.0.0\n', 'data.bin': randomBytes(300_000).toString('base64') });
  const bytes = await readFile(file);
  const digest = sha256(bytes);
  const id = releaseIdFor('8.0.0', digest);
  const root = await folder('streamed');
  const session = await sshTransport({ uploadBufferLimit: 1024 }).open(targetFor(servers[1], 'web-2', root));
  try {
    assert.equal((await session.stage(id, file, digest)).created, true);
    assert.equal(await readFile(join(root, 'releases', id, 'VERSION'), 'utf8'), '8.0.0\n');
    for (const [what, changed] of [['same size, other bytes', Buffer.from(bytes).fill(0x20, 1000, 2000)], ['cut short', bytes.subarray(0, 100_000)]] as const) {
      const other = await folder(`streamed-${changed.length}`);
      const s = await sshTransport({ uploadBufferLimit: 1024 }).open(targetFor(servers[1], 'web-2', other));
      try {
        // The size is taken when the upload starts; the bytes change before they are read.
        const stage = s.stage(id, file, digest);
        await writeFile(file, changed);
        await assert.rejects(stage, (err: unknown) =>
          err instanceof TargetError && err.code === 'target.digest' && err.message.includes(`expected ${digest}: it changed since it was verified`), what);
        await eventually(async () => (await tree(other)).every((p) => !p.includes('.tmp-')), `${what}: the target removes its work folder`);
        assert.deepEqual((await tree(other)).filter((p) => p.startsWith('releases/')), [], what);
        assert.deepEqual((await s.inspect()).releases, [], `${what}: the next request gets a new shell`);
      } finally {
        await s.close();
        await writeFile(file, bytes);
      }
    }
  } finally {
    await session.close();
  }
});

test('the target refuses an upload whose digest line is not the expected digest, and keeps nothing of it', async () => {
  const root = await folder('bad-line');
  const data = await readFile(await makeArtifact(work.path, 'app-9.0.0.tar.gz', { VERSION: '9.0.0\n' }));
  const digest = sha256(data);
  const conn = await connectSsh(sshTargetOf(targetFor(servers[2], 'web-3', root)));
  try {
    const shell = new ScriptShell(conn);
    const stage = targetScripts.stage(root, releaseIdFor('9.0.0', digest), '', digest, 'abc', new Date(), { bytes: data.length, encoding: 'gzip' });
    const out = await shell.run([{ fn: 'stage', args: stage.args }], { kind: 'bytes', data, sha256: 'f'.repeat(64), encoding: 'gzip' });
    assert.equal(out.exitCode, 3);
    assert.match(out.stderr, /pitcrew-error upload the upload ended before its \d+ bytes and digest line arrived/);
    assert.equal(shell.closed, true, 'a failed upload closes the shell');
    assert.deepEqual(await tree(root), ['releases', 'shared']);
  } finally {
    await conn.end();
  }
});

/** A .tar.gz of VERSION and `payload` as data.bin, written under the work folder; its bytes and release id. */
async function payloadArtifact(version: string, payload: Buffer): Promise<{ file: string; gz: Buffer; digest: string; id: string; payload: Buffer }> {
  const gz = gzipSync(rawTar([{ name: 'VERSION', type: '0', body: `${version}\n` }, { name: 'data.bin', type: '0', body: payload }]));
  const file = join(work.path, `app-${version}.tar.gz`);
  await writeFile(file, gz);
  return { file, gz, digest: sha256(gz), id: releaseIdFor(version, sha256(gz)), payload };
}

test('an artifact gzip cannot shrink is sent as its tar, one it shrinks as the .tar.gz; both stage the same files', async () => {
  const random = await payloadArtifact('11.0.0', randomBytes(200_000));
  const text = await payloadArtifact('11.1.0', Buffer.from('export const answer = 42;\n'.repeat(8000)));
  const uploads = new ArtifactUploads();
  const plain = await uploads.get(random.file, random.digest);
  const packed = await uploads.get(text.file, text.digest);
  assert.ok('kind' in plain && plain.kind === 'bytes' && 'kind' in packed && packed.kind === 'bytes');
  assert.deepEqual([plain.encoding, plain.data.equals(gunzipSync(random.gz)), plain.sha256], ['tar', true, random.digest]);
  assert.deepEqual([packed.encoding, packed.data.equals(text.gz)], ['gzip', true]);
  const transport = sshTransport();
  const roots = await Promise.all(servers.map((_, i) => folder(`encoding-${i}`)));
  const sessions = await Promise.all(servers.map((s, i) => transport.open(targetFor(s, `web-${i + 1}`, roots[i]))));
  try {
    for (const [i, session] of sessions.entries()) {
      for (const a of [random, text]) {
        assert.deepEqual(await session.stage(a.id, a.file, a.digest), { releaseId: a.id, created: true });
        assert.ok((await readFile(join(roots[i], 'releases', a.id, 'data.bin'))).equals(a.payload), `${a.id} on web-${i + 1}`);
      }
      assert.deepEqual((await session.inspect()).releases, [random.id, text.id]);
    }
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await transport.closeAll();
  }
});

test('a plain tar upload cut by a lost connection leaves no release and no work folder on the host', async () => {
  const a = await payloadArtifact('12.0.0', randomBytes(100_000));
  const tar = gunzipSync(a.gz);
  const root = await folder('cut-tar');
  const conn = await connectSsh(sshTargetOf(targetFor(servers[1], 'web-2', root)));
  const shell = new ScriptShell(conn);
  const stage = targetScripts.stage(root, a.id, '', a.digest, 'cut', new Date(), { bytes: tar.length, encoding: 'tar' });
  // A third of the tar is sent, then the digest line, which the host reads as more of the tar while it waits for the rest.
  const running = shell.run([{ fn: 'stage', args: stage.args }], { kind: 'bytes', data: tar.subarray(0, 33_000), sha256: a.digest, encoding: 'tar' });
  const outcome = running.then((out) => out.exitCode, (err: Error) => err.name);
  await eventually(async () => (await tree(root).catch(() => [])).some((p) => p.includes('.tmp-')), 'the host starts to unpack');
  await conn.end();
  assert.notEqual(await outcome, 0);
  await eventually(async () => (await tree(root)).every((p) => !p.includes('.tmp-')), 'the host removes its work folder');
  assert.deepEqual(await tree(root), ['releases', 'shared']);
});

test('one transport reads a login key once for all its targets; a key that cannot be read is reported for each target by name', async () => {
  const key = await keepKey(servers[0]);
  await Promise.all(servers.slice(1).map(async (s) => s.authorize(await publicLineOf(key))));
  const transport = sshTransport();
  const first = await transport.open(targetFor(servers[0], 'web-1', await folder('key-1'), { identityFile: key }));
  await rm(key);
  // Read already: the other targets log in with it although the file is gone.
  const others = await Promise.all(servers.slice(1).map(async (s, i) => transport.open(targetFor(s, `web-${i + 2}`, await folder(`key-${i + 2}`), { identityFile: key }))));
  for (const s of [first, ...others]) assert.equal((await s.inspect()).fence, 0);
  await Promise.all([first, ...others].map((s) => s.close()));
  const fresh = sshTransport();
  for (const [i, s] of servers.entries()) {
    await assert.rejects(fresh.open(targetFor(s, `web-${i + 1}`, '/srv/app', { identityFile: key })), (err: unknown) =>
      err instanceof SshKeyError && err.message === `target web-${i + 1} (${s.host}:${s.port}): cannot read identityFile ${key}: ENOENT`);
  }
});

test('logs in with ECDSA and RSA keys (their signatures made from one parsed key)', async () => {
  const s = servers[2];
  for (const [type, bits] of [['ecdsa', '256'], ['ecdsa', '521'], ['rsa', '2048']]) {
    const path = join(work.path, `client-${type}-${bits}`);
    await run('ssh-keygen', ['-q', '-t', type, '-b', bits, '-N', '', '-f', path]);
    await s.authorize((await readFile(`${path}.pub`, 'utf8')).trim());
    const session = await sshTransport().open(targetFor(s, 'web-3', await folder(`key-${type}-${bits}`), { identityFile: path }));
    assert.equal((await session.inspect()).fence, 0, `${type} ${bits}`);
    await session.close();
  }
});

test("a check's files are removed by the shell's next request, before its own calls", async () => {
  const root = await folder('check-files');
  const file = await makeArtifact(work.path, 'app-10.0.0.tar.gz', { VERSION: '10.0.0\n' });
  const digest = sha256(await readFile(file));
  const id = releaseIdFor('10.0.0', digest);
  const session = await sshTransport().open(targetFor(servers[0], 'web-1', root));
  const files = async (): Promise<string[]> => (await readdir(join(root, '.pitcrew', 'run'))).map((n) => n.replace(/^check-\w+-\w+/, 'check')).sort();
  try {
    await session.stage(id, file, digest);
    await session.switchTo(id, 1);
    assert.equal((await session.run('cat VERSION', { cwd: 'current', check: true })).stdoutTail, '10.0.0\n');
    assert.deepEqual(await files(), ['check.err', 'check.out', 'check.pid']);
    await session.markRelease(id, 'good');
    assert.deepEqual(await files(), []);
    assert.equal((await session.inspect()).details[0].mark, 'good', 'the request that removed them did its own work');
  } finally {
    await session.close();
  }
});
