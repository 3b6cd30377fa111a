import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import * as agentInstall from '../../src/cli/commands/agent-install.js';
import { resolveGlobals } from '../../src/cli/context.js';
import { memoryIo } from '../../src/cli/io.js';
import { globalOptions, type CommandRunner } from '../../src/cli/program.js';
import { SecretMasker } from '../../src/mask/masker.js';
import { cli, tempDir } from './support.js';

const RUNNER_DIR = '/home/runner/actions-runner';
const OLD_ENV = [
  '# written by the runner',
  'LANG=C.UTF-8',
  '',
  'ACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/local/bin/old-start.sh',
  'http_proxy=http://proxy.example.com:3128',
  '# keep me',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  '',
].join('\n');

/** A root with the runner's folder owned by this process's user, named `runner` in its /etc/passwd. */
async function fakeRoot(env: string | undefined = OLD_ENV): Promise<string> {
  const root = await tempDir('agent-root');
  await mkdir(join(root, RUNNER_DIR), { recursive: true });
  if (env !== undefined) await writeFile(join(root, RUNNER_DIR, '.env'), env);
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/bash\nrunner:x:${process.getuid?.() ?? 1000}:1000::/home/runner:/bin/bash\n`);
  return root;
}

function install(root: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  return cli(['agent', 'install', '--runner', 'runner-1', '--server', 'https://pitcrew.example.com', '--root', root, ...extra]);
}

async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const st = await stat(p);
        out.set(p, `${st.mtimeMs}:${st.mode}:${await readFile(p, 'utf8')}`);
      }
    }
  }
  await walk(root);
  return out;
}

test('agent install writes the hardened unit running as a dedicated user, not the runner user', async () => {
  const root = await fakeRoot();
  const r = await install(root, '--service', 'actions.runner.acme-shop.runner-1.service');
  assert.equal(r.code, 0, r.err);
  const unit = await readFile(join(root, 'etc/systemd/system/pitcrew-agent-runner-1.service'), 'utf8');
  assert.match(unit, /^User=pitcrew-agent$/m);
  assert.doesNotMatch(unit, /^User=runner$/m);
  for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=read-only', 'ReadWritePaths=/var/lib/pitcrew-agent/runner-1', 'PrivateTmp=yes', 'Restart=always', 'EnvironmentFile=/etc/pitcrew/agent-runner-1.env']) {
    assert.ok(unit.split('\n').includes(line), `missing ${line}`);
  }
  assert.match(
    unit,
    /^ExecStart=\/usr\/local\/bin\/pitcrew agent --server https:\/\/pitcrew\.example\.com --runner runner-1 --listen 127\.0\.0\.1:9101 --service actions\.runner\.acme-shop\.runner-1\.service --work-dir \/home\/runner\/actions-runner\/_work --diag-dir \/home\/runner\/actions-runner\/_diag$/m,
  );
  assert.doesNotMatch(unit, /PITCREW_TOKEN=/);
});

test('agent install writes the token file 0600 with a placeholder, and never overwrites a token', async () => {
  const root = await fakeRoot();
  assert.equal((await install(root)).code, 0);
  const tokenFile = join(root, 'etc/pitcrew/agent-runner-1.env');
  assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
  assert.match(await readFile(tokenFile, 'utf8'), /^PITCREW_TOKEN=/m);
  await writeFile(tokenFile, 'PITCREW_TOKEN=the-real-agent-token\n');
  await chmod(tokenFile, 0o644);
  const again = await install(root);
  assert.equal(again.code, 0);
  assert.equal(await readFile(tokenFile, 'utf8'), 'PITCREW_TOKEN=the-real-agent-token\n');
  // A token file readable by others is tightened, not rewritten.
  assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
  assert.match(again.out, /mode-fixed\s+.*agent-runner-1\.env/);
  assert.ok(!again.out.includes('the-real-agent-token'));
});

test('agent install writes executable hook scripts that call pitcrew hook', async () => {
  const root = await fakeRoot();
  assert.equal((await install(root)).code, 0);
  for (const event of ['job-started', 'job-completed']) {
    const path = join(root, `opt/pitcrew/hooks/${event}.sh`);
    assert.equal((await stat(path)).mode & 0o777, 0o755);
    const script = await readFile(path, 'utf8');
    assert.ok(script.startsWith('#!/bin/sh\n'));
    assert.match(script, new RegExp(`^exec /usr/local/bin/pitcrew hook ${event} --agent "\\$\\{PITCREW_AGENT_URL:-http://127\\.0\\.0\\.1:9101\\}"$`, 'm'));
  }
});

test('agent install --guard makes the job-started hook refuse jobs the agent says this runner must not take', async () => {
  const root = await fakeRoot();
  assert.equal((await install(root, '--guard')).code, 0);
  assert.match(await readFile(join(root, 'opt/pitcrew/hooks/job-started.sh'), 'utf8'), /^exec \/usr\/local\/bin\/pitcrew hook job-started --guard --agent /m);
  assert.doesNotMatch(await readFile(join(root, 'opt/pitcrew/hooks/job-completed.sh'), 'utf8'), /--guard/);
  const without = await install(root);
  assert.match(without.out, /updated\s+.*job-started\.sh/);
  assert.doesNotMatch(await readFile(join(root, 'opt/pitcrew/hooks/job-started.sh'), 'utf8'), /--guard/);
});

test('agent install sets the hook keys in the runner .env and keeps every other line, comment and the order', async () => {
  const root = await fakeRoot();
  assert.equal((await install(root, '--listen', '127.0.0.1:9102')).code, 0);
  const env = await readFile(join(root, RUNNER_DIR, '.env'), 'utf8');
  assert.equal(
    env,
    [
      '# written by the runner',
      'LANG=C.UTF-8',
      '',
      'ACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/pitcrew/hooks/job-started.sh',
      'http_proxy=http://proxy.example.com:3128',
      '# keep me',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      'ACTIONS_RUNNER_HOOK_JOB_COMPLETED=/opt/pitcrew/hooks/job-completed.sh',
      'PITCREW_AGENT_URL=http://127.0.0.1:9102',
      '',
    ].join('\n'),
  );
});

test('agent install creates the runner .env when the runner has none', async () => {
  const root = await fakeRoot(undefined);
  assert.equal((await install(root)).code, 0);
  assert.match(await readFile(join(root, RUNNER_DIR, '.env'), 'utf8'), /^ACTIONS_RUNNER_HOOK_JOB_STARTED=\/opt\/pitcrew\/hooks\/job-started\.sh$/m);
});

test('a second agent install changes nothing and reports every file unchanged', async () => {
  const root = await fakeRoot();
  assert.equal((await install(root)).code, 0);
  const before = await snapshot(root);
  const second = await cli(['--json', 'agent', 'install', '--runner', 'runner-1', '--server', 'https://pitcrew.example.com', '--root', root]);
  assert.equal(second.code, 0, second.err);
  const result = JSON.parse(second.out) as { changes: { status: string }[] };
  assert.deepEqual(result.changes.map((c) => c.status), ['unchanged', 'kept', 'unchanged', 'unchanged', 'unchanged']);
  assert.deepEqual(await snapshot(root), before);
});

test('agent install prints the commands to enable it and runs none of them', async () => {
  const root = await fakeRoot();
  const r = await install(root, '--service', 'actions.runner.acme-shop.runner-1.service');
  const commands = r.out.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
  assert.deepEqual(commands, [
    'useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pitcrew-agent',
    'systemctl daemon-reload',
    'systemctl enable --now pitcrew-agent-runner-1.service',
    'systemctl restart actions.runner.acme-shop.runner-1.service',
  ]);
  // Once the user exists, useradd is no longer suggested; without --service the runner's svc.sh restarts it.
  await writeFile(join(root, 'etc/passwd'), `pitcrew-agent:x:998:998::/nonexistent:/usr/sbin/nologin\n`, { flag: 'a' });
  const again = await install(root);
  assert.doesNotMatch(again.out, /useradd/);
  assert.match(again.out, /cd \/home\/runner\/actions-runner && \.\/svc\.sh stop && \.\/svc\.sh start/);
});

test('agent install words the setfacl commands the agent needs to read a closed runner folder', async () => {
  const root = await fakeRoot();
  await mkdir(join(root, RUNNER_DIR, '_diag'));
  await chmod(join(root, 'home/runner'), 0o750);
  await chmod(join(root, RUNNER_DIR, '_diag'), 0o700);
  const r = await install(root);
  assert.equal(r.code, 0, r.err);
  const commands = r.out.split('\n').filter((l) => l.startsWith('  setfacl')).map((l) => l.trim());
  assert.deepEqual(commands, [
    'setfacl -m u:pitcrew-agent:x /home/runner',
    'setfacl -R -m u:pitcrew-agent:rX /home/runner/actions-runner/_diag',
    'setfacl -d -m u:pitcrew-agent:rX /home/runner/actions-runner/_diag',
  ]);
  await chmod(join(root, 'home/runner'), 0o755);
  await chmod(join(root, RUNNER_DIR, '_diag'), 0o755);
  assert.doesNotMatch((await install(root)).out, /setfacl/);
});

test('agent install refuses to run the agent as the runner user or root', async () => {
  const root = await fakeRoot();
  for (const user of ['runner', 'root']) {
    const r = await install(root, '--user', user);
    assert.equal(r.code, 2, user);
    assert.match(r.err, /unprivileged user/);
  }
  assert.deepEqual(await readdir(join(root, 'etc')), ['passwd']);
});

test('agent install refuses unsafe names and values with exit 2 and writes nothing', async () => {
  const root = await fakeRoot();
  const cases: [string[], RegExp][] = [
    [['--runner', 'runner 1'], /runner name "runner 1" is not allowed/],
    [['--runner', '../etc'], /runner name "\.\.\/etc" is not allowed/],
    [['--runner', 'r1\nExecStartPre=/bin/sh'], /runner name .* is not allowed/],
    [['--runner', 'r1', '--user', 'Evil User'], /--user "Evil User" is not allowed/],
    [['--runner', 'r1', '--runner-dir', '/home/runner/a b'], /--runner-dir .* is not allowed/],
    [['--runner', 'r1', '--listen', '127.0.0.1:99999'], /--listen .* is not allowed/],
    [['--runner', 'r1', '--service', 'x;reboot'], /--service .* is not allowed/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(['agent', 'install', '--server', 'https://pitcrew.example.com', '--root', root, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
  }
  const badUrl = await cli(['agent', 'install', '--runner', 'r1', '--server', 'https://x.example.com/%i;x', '--root', root]);
  assert.equal(badUrl.code, 2);
  assert.deepEqual(await readdir(join(root, 'etc')), ['passwd']);
  assert.equal(await readFile(join(root, RUNNER_DIR, '.env'), 'utf8'), OLD_ENV);
});

test('agent install names the runner folder when it does not exist', async () => {
  const root = await fakeRoot();
  const r = await install(root, '--runner-dir', '/srv/runner');
  assert.equal(r.code, 2);
  assert.match(r.err, /runner folder .*\/srv\/runner does not exist/);
  assert.match(r.err, /--runner-dir/);
});

test('agent install takes the server from $PITCREW_SERVER and asks for it when absent', async () => {
  const root = await fakeRoot();
  const missing = await cli(['agent', 'install', '--runner', 'runner-1', '--root', root]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /needs the server's URL/);
  const fromEnv = await cli(['agent', 'install', '--runner', 'runner-1', '--root', root], { PITCREW_SERVER: 'http://127.0.0.1:8080' });
  assert.equal(fromEnv.code, 0, fromEnv.err);
  assert.match(await readFile(join(root, 'etc/systemd/system/pitcrew-agent-runner-1.service'), 'utf8'), /--server http:\/\/127\.0\.0\.1:8080 /);
});

test('agent install works under an `agent` command that has its own --runner, --listen and --service', async () => {
  const root = await fakeRoot();
  const io = memoryIo();
  let code = -1;
  const program = globalOptions(new Command('pitcrew')).exitOverride();
  let ranAgent = false;
  // The shape of the command that runs the agent: same flag names, registered first.
  program
    .command('agent')
    .option('--runner <name>')
    .option('--listen <addr>')
    .option('--service <unit>')
    .action(() => {
      ranAgent = true;
    });
  const run: CommandRunner = (body) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = { io, env: {}, globals: resolveGlobals(cmd.optsWithGlobals(), {}, io.cwd), masker: new SecretMasker(), reveal: (t: string) => io.stdout.write(t) };
    code = await body(ctx, cmd);
  };
  agentInstall.register(program, run);
  await program.parseAsync(
    ['agent', 'install', '--runner', 'runner-7', '--server', 'https://pitcrew.example.com', '--listen', '127.0.0.1:9107', '--service', 'runner7.service', '--root', root],
    { from: 'user' },
  );
  assert.equal(code, 0, io.err());
  assert.equal(ranAgent, false);
  const unit = await readFile(join(root, 'etc/systemd/system/pitcrew-agent-runner-7.service'), 'utf8');
  assert.match(unit, /--runner runner-7 --listen 127\.0\.0\.1:9107 --service runner7\.service /);
});
