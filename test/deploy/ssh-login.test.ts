import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2, { type ParsedKey } from 'ssh2';
import { dialCoalescing } from '../../src/deploy/transports/ssh-connection.js';
import { fastSigningKey } from '../../src/deploy/transports/ssh-target.js';
import { tempDir } from './fixtures.js';

const run = promisify(execFile);

test('a key parsed once signs like ssh2 does, for every key type, with and without a named hash', async () => {
  const dir = await tempDir('pitcrew-keys-');
  try {
    const data = randomBytes(200);
    for (const [type, bits] of [['ed25519', ''], ['ecdsa', '256'], ['ecdsa', '384'], ['ecdsa', '521'], ['rsa', '2048']]) {
      const path = join(dir.path, `${type}${bits}`);
      await run('ssh-keygen', ['-q', '-t', type, ...(bits === '' ? [] : ['-b', bits]), '-N', '', '-f', path]);
      const parsed = ssh2.utils.parseKey(await readFile(path)) as ParsedKey;
      const fast = fastSigningKey(parsed);
      assert.notEqual(fast.sign, parsed.sign, `${type}${bits} gets its own sign`);
      assert.equal(fast.type, parsed.type);
      assert.deepEqual(fast.getPublicSSH(), parsed.getPublicSSH());
      assert.ok(ssh2.utils.parseKey(fast as unknown as Buffer) === fast, 'ssh2 takes it as a parsed key');
      const hashes = type === 'rsa' ? [undefined, 'sha256', 'sha512'] : [undefined];
      for (const hash of hashes) {
        const sig = fast.sign(data, hash);
        assert.ok(Buffer.isBuffer(sig), `${type}${bits} ${hash}`);
        assert.equal(parsed.verify(data, sig, hash), true, `${type}${bits} ${hash ?? 'default'}: ssh2 verifies the signature`);
        // ed25519 and RSA (PKCS#1 v1.5) signatures are deterministic: byte for byte what ssh2 makes.
        if (type !== 'ecdsa') assert.deepEqual(sig, parsed.sign(data, hash), `${type}${bits} ${hash ?? 'default'}`);
      }
    }
  } finally {
    await dir.cleanup();
  }
});

test('writes made within one tick leave a coalescing socket in one system call, in order', async (t) => {
  let received = Buffer.alloc(0);
  let peer: Socket | undefined;
  const server = createServer((socket) => {
    peer = socket;
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = dialCoalescing('127.0.0.1', (server.address() as AddressInfo).port);
  t.after(() => {
    socket.destroy();
    peer?.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const calls: number[] = [];
  const writev = socket._writev?.bind(socket);
  const write = socket._write.bind(socket);
  socket._writev = (chunks, cb) => {
    calls.push(chunks.length);
    writev?.(chunks, cb);
  };
  socket._write = (chunk, encoding, cb) => {
    calls.push(1);
    write(chunk, encoding, cb);
  };
  const pieces = [Buffer.from('length'), Buffer.from('ciphertext'), Buffer.from('tag')];
  for (const p of pieces) socket.write(p);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [3], 'one writev of the three pieces');
  socket.write('next tick');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [3, 1]);
  const expected = 'lengthciphertexttagnext tick';
  for (let i = 0; i < 200 && received.length < expected.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(received.toString(), expected);
});
