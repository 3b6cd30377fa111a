import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, Html } from '../../src/server/dashboard/index.js';
import { SecretMasker } from '../../src/mask/index.js';
import { startDashboard, TOKENS } from './harness.js';
import { SECRET } from './seed.js';

test('html escapes every interpolated value and keeps fragments built with html', () => {
  const name = '<script>alert("x")</script>&\'';
  const out = html`<td title="${name}">${name}${html`<b>${'<i>'}</b>`}${[html`<br>`, '<br>']}${null}${undefined}${false}${3}</td>`;
  assert.ok(out instanceof Html);
  assert.equal(out.text, '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>&lt;i&gt;</b><br>&lt;br&gt;3</td>');
});

test('pages redirect to the login form without a token, fragments and events answer 401', async () => {
  const d = await startDashboard();
  try {
    for (const path of ['/', '/environments', '/deployments?env=production', `/deployments/${d.ids.rolledBack}`, '/incidents', '/objectives']) {
      const res = await d.server.app.request(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(path)}`);
    }
    assert.equal((await d.server.app.request('/fragments/fleet')).status, 401);
    assert.equal((await d.server.app.request('/events?view=fleet')).status, 401);
    const login = await d.server.app.request('/login');
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<input id="token" name="token" type="password"/);
  } finally {
    await d.dispose();
  }
});

async function postLogin(d: Awaited<ReturnType<typeof startDashboard>>, token: string, headers: Record<string, string> = {}) {
  return d.server.app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token, next: '/incidents' }).toString(),
  });
}

test('a wrong token is refused without echoing it; a viewer token sets an HttpOnly SameSite=Strict cookie that opens the pages', async () => {
  const d = await startDashboard();
  try {
    const wrong = await postLogin(d, 'not-a-token-zzz');
    assert.equal(wrong.status, 401);
    const wrongText = await wrong.text();
    assert.match(wrongText, /not accepted/);
    assert.doesNotMatch(wrongText, /not-a-token-zzz/);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const ok = await postLogin(d, TOKENS.viewer);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/incidents');
    const cookie = ok.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^pitcrew_token=viewer-token-1;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    const page = await d.server.app.request('/incidents', { headers: { cookie: 'pitcrew_token=viewer-token-1' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /health check failed on web-2/);
    assert.equal((await d.server.app.request('/', { headers: { cookie: 'pitcrew_token=wrong-one' } })).status, 303);

    const behindTls = await postLogin(d, TOKENS.viewer, { 'x-forwarded-proto': 'https' });
    assert.match(behindTls.headers.get('set-cookie') ?? '', /Secure/);

    const out = await d.server.app.request('/logout', { method: 'POST', headers: { cookie: 'pitcrew_token=viewer-token-1' } });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    assert.match(out.headers.get('set-cookie') ?? '', /pitcrew_token=; Max-Age=0/);
  } finally {
    await d.dispose();
  }
});

test('login sends back only to paths on this server', async () => {
  const d = await startDashboard();
  try {
    const res = await d.server.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKENS.viewer, next: '//evil.example/x' }).toString(),
    });
    assert.equal(res.headers.get('location'), '/');
  } finally {
    await d.dispose();
  }
});

test('a server without tokens serves the dashboard without a login', async () => {
  const d = await startDashboard({ auth: false });
  try {
    const res = await d.server.app.request('/');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /<h1>Fleet<\/h1>/);
    assert.doesNotMatch(text, /Log out/);
    assert.equal((await d.server.app.request('/login')).status, 303);
  } finally {
    await d.dispose();
  }
});

test('every page and fragment passes the mask, and stored markup is shown as text', async () => {
  const d = await startDashboard();
  try {
    await d.store.createDeployment({ id: 'dep-xss', environment: 'staging', version: '<img src=x onerror=alert(1)>', digest: 'sha256:00', runner: 'stager', actor: 'ci', state: 'failed', startedAt: Date.now() - 5000 });
    await d.store.updateDeployment('dep-xss', { result: 'failed', finishedAt: Date.now(), error: `<script>alert(1)</script> ${SECRET}` });
    const auth = { authorization: `Bearer ${TOKENS.viewer}` };
    const paths = ['/', '/environments', '/deployments', `/deployments/${d.ids.rolledBack}`, '/deployments/dep-xss', '/incidents', '/objectives', '/fragments/deployment?id=dep-xss', '/fragments/deployments'];
    for (const path of paths) {
      const res = await d.server.app.request(path, { headers: auth });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const text = await res.text();
      assert.ok(!text.includes(SECRET), `${path} shows the secret`);
      assert.ok(!text.includes('<img src=x'), `${path} shows raw markup`);
      assert.ok(!text.includes('<script>alert'), `${path} shows raw markup`);
    }
    const page = await (await d.server.app.request('/deployments/dep-xss', { headers: auth })).text();
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt; \*\*\*/);
    const rolledBack = await (await d.server.app.request(`/fragments/deployment?id=${d.ids.rolledBack}`, { headers: auth })).text();
    assert.match(rolledBack, /Bearer \*\*\*/);
  } finally {
    await d.dispose();
  }
});

test('an unknown deployment is a 404 page, an unknown view a 404 naming the views', async () => {
  const d = await startDashboard();
  try {
    const auth = { authorization: `Bearer ${TOKENS.viewer}` };
    const res = await d.server.app.request('/deployments/nope', { headers: auth });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /There is no deployment nope/);
    const view = await d.server.app.request('/fragments/nothing', { headers: auth });
    assert.equal(view.status, 404);
    assert.match(await view.text(), /views: fleet, environments/);
  } finally {
    await d.dispose();
  }
});

test('the event stream says changed at once, then again when the view changes', async () => {
  const d = await startDashboard();
  try {
    const res = await d.server.app.request('/events?view=incidents', { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const nextEvent = async () => {
      for (;;) {
        const end = seen.indexOf('\n\n');
        if (end >= 0) {
          const event = seen.slice(0, end);
          seen = seen.slice(end + 2);
          return event;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        seen += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextEvent();
    assert.match(first, /^event: changed\ndata: [0-9a-f]{16}$/);
    await d.store.resolveIncident('inc-disk', Date.now(), 'disk cleaned');
    const second = await nextEvent();
    assert.match(second, /^event: changed\ndata: [0-9a-f]{16}$/);
    assert.notEqual(second, first);
    await reader.cancel();
  } finally {
    await d.dispose();
  }
});

test('API answers pass the mask too', async () => {
  const d = await startDashboard();
  try {
    await d.store.enqueueLock('staging', { ownerToken: 'o-9', runner: 'stager', description: `deploy with ${SECRET}`, ttlMs: 60_000 }, Date.now(), 60_000);
    const res = await d.server.app.request('/api/v1/environments/staging/lock', { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.ok(!text.includes(SECRET));
    assert.equal(JSON.parse(text).queue[0].description, 'deploy with ***');
  } finally {
    await d.dispose();
  }
});

test('a secret full of HTML metacharacters is masked in its escaped form by the real masker', async () => {
  const masker = new SecretMasker();
  const secret = `p<a&s"s'w0rd>-7781`;
  masker.register(secret, '$DEPLOY_KEY');
  const d = await startDashboard({ mask: (text) => masker.mask(text) });
  try {
    await d.store.createDeployment({ id: 'dep-meta', environment: 'staging', version: '2.0.0', digest: 'sha256:01', runner: 'stager', actor: 'ci', state: 'failed', startedAt: Date.now() - 5000 });
    await d.store.updateDeployment('dep-meta', { result: 'failed', finishedAt: Date.now(), error: `upload refused for ${secret}` });
    const text = await (await d.server.app.request('/deployments/dep-meta', { headers: { authorization: `Bearer ${TOKENS.viewer}` } })).text();
    assert.match(text, /upload refused for \*\*\*/);
    assert.equal(masker.containsSecret(text), false);
  } finally {
    await d.dispose();
  }
});

test('the deployment list filters by environment, result and runner', async () => {
  const d = await startDashboard();
  try {
    const ids = async (query: string) => {
      const text = await (await d.server.app.request(`/fragments/deployments?${query}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } })).text();
      return [...text.matchAll(/<a href="\/deployments\/([^"]+)">/g)].map((m) => m[1]);
    };
    assert.deepEqual(await ids(''), ['dep-run-151', 'dep-rb-150', 'dep-good-140']);
    assert.deepEqual(await ids('result=rolled-back'), ['dep-rb-150']);
    assert.deepEqual(await ids('result=running'), ['dep-run-151']);
    assert.deepEqual(await ids('runner=primary&env=production'), ['dep-run-151', 'dep-good-140']);
    assert.deepEqual(await ids('env=staging'), []);
    const page = await (await d.server.app.request('/deployments?result=succeeded', { headers: { authorization: `Bearer ${TOKENS.viewer}` } })).text();
    assert.match(page, /<option value="succeeded" selected>/);
    assert.match(page, /data-fragment="\/fragments\/deployments\?result=succeeded"/);
  } finally {
    await d.dispose();
  }
});
