import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pollUntil } from '../agent/poll.js';
import { exportSample, requireTool, run, tempDir, which } from './support.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

test('amtool check-config accepts the Alertmanager route example', { skip: which('amtool') ? false : 'amtool is not installed' }, async () => {
  const dir = await exportSample();
  const r = await run(which('amtool')!, ['check-config', join(dir, 'alertmanager/route.example.yml')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
  assert.match(r.stdout, /2 inhibit rules/);
});

const alertmanager = requireTool('prometheus-alertmanager');

test('Alertmanager starts with the route example as its configuration', { skip: alertmanager ? false : 'prometheus-alertmanager is not installed' }, async () => {
  const dir = await exportSample();
  const storage = await tempDir('pitcrew-am-');
  const port = await freePort();
  const child = spawn(alertmanager!, [
    `--config.file=${join(dir, 'alertmanager/route.example.yml')}`, `--storage.path=${storage}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const status = await pollUntil(async () => {
      if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v2/status`);
        return res.ok ? ((await res.json()) as { config: { original: string } }) : undefined;
      } catch {
        return undefined;
      }
    }, 'alertmanager to answer /api/v2/status', 15_000, 50);
    assert.match(status.config.original, /pitcrew-critical/);
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(storage, { recursive: true, force: true });
  }
});
