/**
 * Mounts the dashboard on the server's Hono app: the pages (`/`,
 * `/environments`, `/deployments`, `/deployments/:id`, `/incidents`,
 * `/objectives`), their live fragments (`/fragments/:view`), the event stream
 * that says when a fragment changed (`/events`), the two assets, and login /
 * logout. Every HTML body passes `mask` on its way out.
 *
 * Must never write to the store, and never answer a page to a request
 * without a viewer token when tokens are configured.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Authenticator } from '../auth.js';
import { CSS, JS } from './assets.js';
import { ViewNotFound, type DashboardContext } from './context.js';
import type { Html } from './html.js';
import { loginPage, notFoundPage, page } from './layout.js';
import { accepts, endSession, safeNext, startSession, viewer } from './session.js';
import { liveUrls, VIEWS, viewQuery } from './views.js';

export interface DashboardDeps extends DashboardContext {
  auth: Authenticator;
  /** Applied to every HTML body served. */
  mask: (text: string) => string;
  /** How often the event stream re-renders a view to look for changes. Default 1000 ms. */
  eventsEveryMs?: number;
}

export interface Dashboard {
  /** Ends every open event stream. */
  close(): void;
}

const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function dashboardRoutes(app: Hono, deps: DashboardDeps): Dashboard {
  let closed = false;
  const everyMs = deps.eventsEveryMs ?? 1000;
  const project = deps.config.project;
  const send = (c: Context, body: Html, status: 200 | 401 | 404 = 200) =>
    c.body(deps.mask(body.text), status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  const toLogin = (c: Context) => {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`, 303);
  };

  const pageRoute = (path: string, name: string) =>
    app.get(path, async (c) => {
      if (!(await viewer(deps.auth, c))) return toLogin(c);
      const view = VIEWS.get(name);
      if (!view) throw new Error(`no dashboard view ${name}`);
      const q = viewQuery({ ...c.req.query(), id: c.req.param('id') });
      try {
        const body = await view.render(deps, q);
        const live = liveUrls(name, q);
        return send(c, page({ project, title: view.title(q), nav: view.nav, intro: view.intro?.(deps, q), body, ...live, loggedIn: await deps.auth.enabled() }));
      } catch (err) {
        if (err instanceof ViewNotFound) return send(c, notFoundPage(project, err.message), 404);
        throw err;
      }
    });
  pageRoute('/', 'fleet');
  pageRoute('/environments', 'environments');
  pageRoute('/deployments', 'deployments');
  pageRoute('/deployments/:id', 'deployment');
  pageRoute('/incidents', 'incidents');
  pageRoute('/objectives', 'objectives');

  app.get('/fragments/:view', async (c) => {
    if (!(await viewer(deps.auth, c))) return c.text('log in again', 401, SECURITY_HEADERS);
    const name = c.req.param('view');
    const view = VIEWS.get(name);
    if (!view) return c.text(`no view ${name.slice(0, 50)}; views: ${[...VIEWS.keys()].join(', ')}`, 404, SECURITY_HEADERS);
    try {
      return send(c, await view.render(deps, viewQuery(c.req.query())));
    } catch (err) {
      if (err instanceof ViewNotFound) return c.text(err.message, 404, SECURITY_HEADERS);
      throw err;
    }
  });

  app.get('/events', async (c) => {
    if (!(await viewer(deps.auth, c))) return c.text('log in again', 401, SECURITY_HEADERS);
    const name = c.req.query('view') ?? '';
    const view = VIEWS.get(name);
    if (!view) return c.text(`view: expected one of ${[...VIEWS.keys()].join(', ')}`, 400, SECURITY_HEADERS);
    const q = viewQuery(c.req.query());
    return streamSSE(c, async (stream) => {
      let last: string | undefined;
      while (!stream.aborted && !stream.closed && !closed) {
        // A token revoked while the page is open ends its stream at the next look.
        if (!(await viewer(deps.auth, c))) break;
        let text: string;
        try {
          text = (await view.render(deps, q)).text;
        } catch (err) {
          text = err instanceof Error ? err.name : 'error';
        }
        const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
        if (hash !== last) {
          last = hash;
          await stream.writeSSE({ event: 'changed', data: hash });
        }
        await stream.sleep(everyMs);
      }
    });
  });

  app.get('/assets/dashboard.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300', 'x-content-type-options': 'nosniff' }));
  app.get('/assets/dashboard.js', (c) => c.body(JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=300', 'x-content-type-options': 'nosniff' }));

  // Browsers ask for it on every page; an empty answer keeps their consoles clean.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'max-age=86400' }));

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (await viewer(deps.auth, c)) return c.redirect(next, 303);
    return send(c, loginPage(project, next));
  });
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    if (!(await deps.auth.enabled())) return c.redirect(next, 303);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    if (!(await accepts(deps.auth, token))) {
      return send(c, loginPage(project, next, 'That token was not accepted: it is unknown, revoked or expired, or its role may not read.'), 401);
    }
    startSession(c, token);
    return c.redirect(next, 303);
  });
  app.post('/logout', async (c) => {
    endSession(c);
    return c.redirect((await deps.auth.enabled()) ? '/login' : '/', 303);
  });

  return {
    close() {
      closed = true;
    },
  };
}
