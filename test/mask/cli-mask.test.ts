import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { CASES } from './cases.js';

const S = 'pässwörd-✓-42';

test('pitcrew mask filters stdin to stdout, even with UTF-8 split across chunks', async () => {
  const bytes = Buffer.from(`line 1 ${S}\nline 2 ${Buffer.from(S + '\n').toString('base64')}\nend`);
  const chunks = Array.from(bytes).map((b) => Buffer.from([b]));
  const io = memoryIo({ stdin: Readable.from(chunks) });
  const code = await main(['mask', '--secret-env', 'PW'], { PW: S }, io);
  assert.equal(code, 0);
  assert.equal(io.out(), 'line 1 ***\nline 2 ***\nend');
});

test('pitcrew mask reads secrets from --secrets-file and repeated --secret-env', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-mask-'));
  writeFileSync(join(dir, 'secrets'), 'TOKEN=file-token-abc\n');
  const io = memoryIo({ cwd: dir, stdin: Readable.from(['a=env-one-secret b=env-two-secret c=file-token-abc\n']) });
  const code = await main(['mask', '--secret-env', 'A', '--secret-env', 'B', '--secrets-file', 'secrets'], { A: 'env-one-secret', B: 'env-two-secret' }, io);
  assert.equal(code, 0);
  assert.equal(io.out(), 'a=*** b=*** c=***\n');
});

test('pitcrew mask gives the same output as the masker for every table case', async () => {
  for (const c of CASES) {
    const env: Record<string, string> = {};
    const args = ['mask'];
    c.secrets.forEach((s, i) => {
      env[`S${i}`] = s;
      args.push('--secret-env', `S${i}`);
    });
    const io = memoryIo({ stdin: Readable.from([Buffer.from(c.input)]) });
    assert.equal(await main(args, env, io), 0);
    assert.equal(io.out(), c.expected, c.name);
  }
});

test('a short --secret-env value is reported by name on stderr and not masked', async () => {
  const io = memoryIo({ stdin: Readable.from(['ab1 stays\n']) });
  const code = await main(['mask', '--secret-env', 'TINY'], { TINY: 'ab1' }, io);
  assert.equal(code, 0);
  assert.equal(io.out(), 'ab1 stays\n');
  assert.match(io.err(), /warning: .*\$TINY.* shorter than 4/);
  assert.ok(!io.err().includes('ab1'));
});

test('a missing --secrets-file is a usage error (exit 2) naming the file', async () => {
  const io = memoryIo();
  const code = await main(['mask', '--secrets-file', '/nonexistent/secrets.env'], {}, io);
  assert.equal(code, 2);
  assert.match(io.err(), /\/nonexistent\/secrets\.env/);
});

test('PITCREW_TOKEN and --token are masked in every command output', async () => {
  const io = memoryIo({ stdin: Readable.from(['env-token-1234 flag-token-5678\n']) });
  const code = await main(['--token', 'flag-token-5678', 'mask'], { PITCREW_TOKEN: 'env-token-1234' }, io);
  assert.equal(code, 0);
  assert.equal(io.out(), '*** ***\n');
});

test('a usage error echoing a secret flag value is masked too', async () => {
  const io = memoryIo();
  await main(['--token', 'flag-token-5678', 'flag-token-5678'], {}, io);
  assert.match(io.err(), /\*\*\*/);
  assert.ok(!io.err().includes('flag-token-5678'));
});
