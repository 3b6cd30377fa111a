import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { disk, heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { startDashboard, TOKENS, type DashboardServer } from './harness.js';
import { SECRET } from './seed.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; CI needs Debian's chromium package (apt-get install chromium)`);
/** PITCREW_UPDATE_SCREENSHOTS=1 writes the documentation's screenshots; otherwise they go to a temp folder. */
const UPDATE_SHOTS = process.env.PITCREW_UPDATE_SCREENSHOTS === '1';
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium); the browser tests need it` : false;

const PAGES = [
  { shot: 'fleet', path: '/', heading: 'Fleet', text: '4.0 % free (512.0 MiB)' },
  { shot: 'environments', path: '/environments', heading: 'Environments', text: 'deploy 1.5.2 by ci' },
  { shot: 'deployments', path: '/deployments', heading: 'Deployments', text: 'dep-rb-150' },
  { shot: 'deployment', path: '/deployments/dep-rb-150', heading: 'Deployment dep-rb-150', text: 'rollback-switch' },
  { shot: 'incidents', path: '/incidents', heading: 'Incidents', text: 'disk 93 % used' },
  { shot: 'objectives', path: '/objectives', heading: 'Objectives', text: 'Mean time to recovery' },
] as const;

interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Every URL the page requested or navigated to. */
  urls: string[];
}

describe('the dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  let d: DashboardServer;
  const agents: TestAgent[] = [];

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    d = await startDashboard({ listen: true });
    const primary = await TestAgent.connect(d.url, 'primary', TOKENS.agent);
    const secondary = await TestAgent.connect(d.url, 'secondary', TOKENS.agent);
    agents.push(primary, secondary);
    primary.hello();
    secondary.hello();
    primary.pump(() => heartbeat(), 100);
    secondary.pump(() => heartbeat(disk(0.04, 0.5 * 1024 ** 3)), 100);
  });

  after(async () => {
    for (const a of agents) await a.close();
    await browser?.close();
    await d?.dispose();
  });

  async function open(viewport = { width: 1280, height: 800 }): Promise<Session> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const s: Session = { context, page, errors: [], urls: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') s.errors.push(m.text());
    });
    page.on('pageerror', (e) => s.errors.push(e.message));
    page.on('request', (r) => s.urls.push(r.url()));
    page.on('framenavigated', (f) => s.urls.push(f.url()));
    await page.goto(`${d.url}/`);
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('#token', TOKENS.viewer);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:text-is("Fleet")');
    return s;
  }

  async function done(s: Session): Promise<void> {
    await s.context.close();
    assert.deepEqual(s.errors, []);
    for (const token of Object.values(TOKENS)) assert.ok(!s.urls.some((u) => u.includes(token)), `a URL carried a token: ${s.urls.join(' ')}`);
  }

  test('after logging in through the form every page shows its content, the secret stays masked, and nothing errs', async () => {
    const s = await open();
    const shots = UPDATE_SHOTS ? 'docs/screenshots' : await mkdtemp(join(tmpdir(), 'pitcrew-shots-'));
    await mkdir(shots, { recursive: true });
    await s.page.waitForSelector('tr:has(#runner-primary) td[data-label="State"] .badge:text-is("online")', { timeout: 5000 });
    await s.page.waitForSelector('tr:has(#runner-secondary) td[data-label="State"] .badge:text-is("degraded")', { timeout: 5000 });
    assert.match((await s.page.textContent('tr:has(#runner-secondary) ul.reasons')) ?? '', /disk/);
    for (const p of PAGES) {
      await s.page.goto(`${d.url}${p.path}`);
      assert.equal(await s.page.textContent('h1'), p.heading);
      assert.ok((await s.page.textContent('main'))?.includes(p.text), `${p.path} shows ${p.text}`);
      assert.ok(!(await s.page.content()).includes(SECRET), `${p.path} shows the secret`);
      const shot = await s.page.screenshot({ path: join(shots, `${p.shot}.png`), fullPage: true });
      assert.ok(shot.length > 1000, `${p.path} screenshot is empty`);
    }
    if (!UPDATE_SHOTS) await rm(shots, { recursive: true, force: true });
    await done(s);
  });

  test('a rolled-back deploy shows each step per target, the failed health check and the rollback', async () => {
    const s = await open();
    await s.page.goto(`${d.url}/deployments/dep-rb-150`);
    const checks = s.page.locator('table:has(caption:text-is("Check results")) tbody tr');
    assert.equal(await checks.count(), 2);
    const failed = checks.filter({ hasText: 'web-2' });
    assert.equal(await failed.locator('td[data-label="Result"]').textContent(), 'failed');
    assert.match((await failed.locator('td[data-label="Detail"]').textContent()) ?? '', /answered 503 three times; curl -H "Authorization: Bearer \*\*\*"/);
    for (const target of ['web-1', 'web-2']) {
      const steps = await s.page.locator(`table:has(caption:text-is("Steps on ${target}")) td[data-label="Step"]`).allTextContents();
      assert.deepEqual(steps, ['upload', 'stage', 'switch', 'health-check']);
    }
    const rollback = await s.page.locator('table:has(caption:text-is("Rollback steps")) tbody tr').allTextContents();
    assert.equal(rollback.length, 2);
    assert.match(rollback.join('\n'), /web-1.*rollback-switch.*done/s);
    assert.match((await s.page.textContent('dd.error')) ?? '', /health check failed on web-2: HTTP 503/);
    await done(s);
  });

  test('a runner shows offline on the open Fleet page within 2 s of its agent connection closing', async () => {
    const s = await open();
    const state = 'tr:has(#runner-primary) td[data-label="State"] .badge';
    await s.page.waitForSelector(`${state}:text-is("online")`, { timeout: 5000 });
    await agents[0].close();
    await s.page.waitForSelector(`${state}:text-is("offline")`, { timeout: 2000 });
    assert.match((await s.page.textContent('tr:has(#runner-primary) ul.reasons')) ?? '', /agent connection closed/);
    await done(s);
  });

  test('the navigation links are reachable with Tab', async () => {
    const s = await open();
    const reached = new Set<string>();
    for (let i = 0; i < 12 && reached.size < 5; i++) {
      await s.page.keyboard.press('Tab');
      const label = await s.page.evaluate<string | null>("document.activeElement && document.activeElement.closest('nav') ? document.activeElement.textContent : null");
      if (label) reached.add(label);
    }
    assert.deepEqual([...reached], ['Fleet', 'Environments', 'Deployments', 'Incidents', 'Objectives']);
    await s.page.keyboard.press('Enter');
    await s.page.waitForSelector('h1:text-is("Objectives")');
    await done(s);
  });

  test('on a 390x844 phone screen no page scrolls sideways', async () => {
    const s = await open({ width: 390, height: 844 });
    for (const p of PAGES) {
      await s.page.goto(`${d.url}${p.path}`);
      const { scroll, width } = await s.page.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth })');
      assert.ok(scroll <= width, `${p.path} is ${scroll} px wide on a ${width} px screen`);
    }
    await done(s);
  });
});
