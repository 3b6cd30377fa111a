import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { parseConfigText } from '../../src/config/index.js';
import { createServer, listen } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { TEST_ENV, testConfigYaml } from '../server/harness.js';
import { deployWorkspace, type DeployWorkspace } from '../support/deploy-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; CI needs Debian's chromium package`);
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

let ws: DeployWorkspace;
let store: Store;
let browser: Browser;
let url = '';
let deploymentId = '';
let stop: () => Promise<void> = async () => undefined;

before(async () => {
  if (missing) return;
  // A real deploy through the engine: v1 everywhere, then v2 whose health check fails on web-2.
  ws = await deployWorkspace();
  assert.equal((await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.result, 'succeeded');
  const failed = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) });
  assert.equal(failed.report.result, 'rolled-back');
  deploymentId = failed.report.deploymentId ?? '';
  store = await openStore(ws.dbPath);
  const { config } = parseConfigText(testConfigYaml(), 'pitcrew.yml', TEST_ENV);
  const server = createServer({ config, store, tokens: [] });
  await server.start();
  const listening = await listen(server, { host: '127.0.0.1', port: 0 }, { authEnabled: false });
  url = listening.url;
  stop = async () => {
    await server.stop();
    await listening.close();
  };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  await browser?.close();
  await stop();
  await store?.close();
  await ws?.cleanup();
});

test('a deploy rolled back by the engine shows its failed health check and the rollback of every switched target', { skip }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(e.message));
  await page.goto(`${url}/deployments/${deploymentId}`);
  const checks = page.locator('table:has(caption:text-is("Check results")) tbody tr');
  const failedCheck = checks.filter({ hasText: 'web-2' }).filter({ hasText: 'failed' });
  assert.ok((await failedCheck.count()) >= 1, 'the failed health check on web-2 is listed');
  const rollback = (await page.locator('table:has(caption:text-is("Rollback steps")) tbody tr').allTextContents()).join('\n');
  for (const target of ['web-1', 'web-2']) assert.match(rollback, new RegExp(`${target}[\\s\\S]*rollback\\.switch`), `${target} switched back`);
  await page.goto(`${url}/deployments`);
  assert.match((await page.textContent('main')) ?? '', /rolled-back/);
  assert.deepEqual(errors, []);
  await page.close();
});
