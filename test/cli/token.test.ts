import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { setupMasking } from '../../src/cli/masking.js';
import { hashToken } from '../../src/server/api-tokens.js';
import { openStore } from '../../src/store/index.js';

async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-token-'));
  const db = join(dir, 'p.db');
  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    const io = memoryIo({ cwd: dir });
    const code = await main(argv, { USER: 'alice', ...env }, io);
    return { code, out: io.out(), err: io.err() };
  };
  return { dir, db, cli, dispose: () => rm(dir, { recursive: true, force: true }) };
}

test('token create prints the token alone on stdout, once, and the store keeps only its hash; the creation is audited as the user', async () => {
  const w = await workspace();
  try {
    const run = await w.cli({}, 'token', 'create', '--role', 'agent', '--name', 'ci-1', '--expires', '30d', '--db', w.db);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /^pcr_[0-9a-f]{64}\n$/);
    const value = run.out.trim();
    assert.match(run.err, /^created token ci-1 \(role agent, expires \S+\); this is the only time it is shown: keep it now\n$/);
    const store = await openStore(w.db);
    try {
      const found = await store.findApiTokenByHash(hashToken(value));
      assert.equal(found?.name, 'ci-1');
      assert.equal(found?.role, 'agent');
      assert.deepEqual((await store.listAudit()).map((a) => [a.action, a.actor, a.target]), [['token.create', 'alice', 'token:ci-1']]);
    } finally {
      await store.close();
    }
    const json = await w.cli({ GITHUB_ACTOR: 'octo' }, '--json', 'token', 'create', '--role', 'viewer', '--name', 'look', '--db', w.db);
    assert.equal(json.code, 0, json.err);
    const answer = JSON.parse(json.out);
    assert.match(answer.value, /^pcr_[0-9a-f]{64}$/);
    assert.equal(answer.token.createdBy, 'octo');
    assert.equal(answer.token.expiresAt, null);
  } finally {
    await w.dispose();
  }
});

test('token create refuses an unknown role listing the roles, a bad name, a bad expiry and a live name, with exit 2, storing nothing', async () => {
  const w = await workspace();
  try {
    const role = await w.cli({}, 'token', 'create', '--role', 'boss', '--name', 'x', '--db', w.db);
    assert.equal(role.code, 2);
    assert.match(role.err, /--role: unknown role "boss"; the roles are viewer, deployer, agent, admin/);
    const name = await w.cli({}, 'token', 'create', '--role', 'admin', '--name', 'two words', '--db', w.db);
    assert.equal(name.code, 2);
    assert.match(name.err, /--name: "two words" is not a token name/);
    const expires = await w.cli({}, 'token', 'create', '--role', 'admin', '--name', 'x', '--expires', 'soon', '--db', w.db);
    assert.equal(expires.code, 2);
    assert.match(expires.err, /--expires: "soon" is not a duration/);
    assert.equal((await w.cli({}, 'token', 'create', '--role', 'admin', '--name', 'ops', '--db', w.db)).code, 0);
    const dup = await w.cli({}, 'token', 'create', '--role', 'viewer', '--name', 'ops', '--db', w.db);
    assert.equal(dup.code, 2);
    assert.match(dup.err, /a token named "ops" exists and is not revoked\nhint: pick another name, or revoke the old token first: pitcrew token revoke ops/);
    assert.equal(dup.out, '');
    const list = JSON.parse((await w.cli({}, '--json', 'token', 'list', '--db', w.db)).out);
    assert.deepEqual(list.tokens.map((t: { name: string }) => t.name), ['ops']);
  } finally {
    await w.dispose();
  }
});

test('token revoke keeps the record, frees the name, and names what is wrong with an unknown or revoked name (exit 2)', async () => {
  const w = await workspace();
  try {
    const first = (await w.cli({}, 'token', 'create', '--role', 'deployer', '--name', 'ci', '--db', w.db)).out.trim();
    const revoked = await w.cli({ USER: 'bob' }, 'token', 'revoke', 'ci', '--db', w.db);
    assert.equal(revoked.code, 0, revoked.err);
    assert.equal(revoked.out, 'token ci revoked\n');
    const again = await w.cli({}, 'token', 'revoke', 'ci', '--db', w.db);
    assert.equal(again.code, 2);
    assert.match(again.err, /token "ci" is revoked already\nhint: list the tokens with: pitcrew token list/);
    const unknown = await w.cli({}, 'token', 'revoke', 'nobody', '--db', w.db);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no token named "nobody"/);
    assert.equal((await w.cli({}, 'token', 'create', '--role', 'deployer', '--name', 'ci', '--db', w.db)).code, 0);
    const table = await w.cli({}, 'token', 'list', '--db', w.db);
    assert.equal(table.code, 0);
    const rows = table.out.trim().split('\n');
    assert.match(rows[0], /^NAME +ROLE +STATUS +CREATED +BY +EXPIRES +REVOKED$/);
    assert.match(rows[1], /^ci +deployer +revoked +\S+ +alice +- +\S+Z$/);
    assert.match(rows[2], /^ci +deployer +live +\S+ +alice +- +-$/);
    assert.doesNotMatch(table.out, new RegExp(`${first}|${hashToken(first)}`));
    const store = await openStore(w.db);
    try {
      assert.deepEqual((await store.listAudit({ action: 'token.revoke' })).map((a) => a.actor), ['bob']);
    } finally {
      await store.close();
    }
  } finally {
    await w.dispose();
  }
});

test('token create refuses a name server.tokens uses, reading the store and names from pitcrew.yml', async () => {
  const w = await workspace();
  try {
    await writeFile(join(w.dir, 'pitcrew.yml'), `project: shop\nserver:\n  database: ./p.db\n  tokens:\n    - { name: ops, role: admin, env: T_ADMIN }\n`);
    const run = await w.cli({ T_ADMIN: 'admin-token-value' }, 'token', 'create', '--role', 'admin', '--name', 'ops');
    assert.equal(run.code, 2);
    assert.match(run.err, /--name: "ops" is a token of server\.tokens in the configuration/);
    const ok = await w.cli({ T_ADMIN: 'admin-token-value' }, 'token', 'create', '--role', 'admin', '--name', 'ops-2');
    assert.equal(ok.code, 0, ok.err);
    const store = await openStore(w.db);
    try {
      assert.deepEqual((await store.listApiTokens()).map((t) => t.name), ['ops-2']);
    } finally {
      await store.close();
    }
  } finally {
    await w.dispose();
  }
});

test('reveal writes a registered secret unmasked, after what stdout held back; every other output still masks it', () => {
  const raw = memoryIo();
  const m = setupMasking([], {}, raw);
  const secret = 'pcr_' + 'c'.repeat(64);
  m.masker.register(secret, 'the new token');
  m.io.stdout.write(`before ${secret} `);
  m.reveal(secret);
  m.io.stdout.write(` after ${secret}\n`);
  m.io.stderr.write(`err ${secret}\n`);
  m.flush();
  assert.equal(raw.out(), `before *** ${secret} after ***\n`);
  assert.equal(raw.err(), 'err ***\n');
});
