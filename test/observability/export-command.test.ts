import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { examplePath } from '../config/helpers.js';
import { requireTool, run, tempDir } from './support.js';

test('monitoring export writes every file for the configured runners, and promtool check rules accepts them', async (t) => {
  const out = await tempDir();
  const io = memoryIo();
  const code = await main(['--config', examplePath, 'monitoring', 'export', '--out', out, '--runbook-base-url', 'https://runbooks.example.com/pitcrew'], {}, io);
  assert.equal(code, 0, io.err());
  for (const f of ['prometheus/scrape.yml', 'prometheus/rules.yml', 'prometheus/rules.test.yml', 'grafana/runner-health.json', 'grafana/deployment-pipeline.json', 'alertmanager/route.example.yml', 'README.md']) {
    assert.ok(io.out().includes(join(out, f)), `${f} listed`);
  }
  const scrape = await readFile(join(out, 'prometheus/scrape.yml'), 'utf8');
  assert.match(scrape, /runner: primary/);
  assert.match(scrape, /runner: secondary/);
  const rules = await readFile(join(out, 'prometheus/rules.yml'), 'utf8');
  assert.match(rules, /runbook_url: https:\/\/runbooks\.example\.com\/pitcrew\/docs\/runbooks\/runner-offline\.md/);
  const promtool = requireTool('promtool');
  if (!promtool) return t.skip('promtool is not installed');
  // The unit tests themselves run in promtool.test.ts; here the export from a real pitcrew.yml must load.
  const checked = await run(promtool, ['check', 'rules', 'rules.yml'], { cwd: join(out, 'prometheus') });
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
});

test('monitoring export without --out is a usage error', async () => {
  const io = memoryIo();
  const code = await main(['--config', examplePath, 'monitoring', 'export'], {}, io);
  assert.equal(code, 2);
  assert.match(io.err(), /--out/);
});
