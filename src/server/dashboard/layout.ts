/**
 * The page shell every dashboard page shares (navigation, logout, the live
 * region) and the login page. Plain semantic HTML: a skip link, one <nav>,
 * one <main>, headings in order. Must never place a token anywhere in a page.
 */
import type { NavKey } from './context.js';
import { html, type Html } from './html.js';

const NAV: ReadonlyArray<{ key: NavKey; href: string; label: string }> = [
  { key: 'fleet', href: '/', label: 'Fleet' },
  { key: 'environments', href: '/environments', label: 'Environments' },
  { key: 'deployments', href: '/deployments', label: 'Deployments' },
  { key: 'incidents', href: '/incidents', label: 'Incidents' },
  { key: 'objectives', href: '/objectives', label: 'Objectives' },
];

function head(title: string): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · pitcrew</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>`;
}

export interface PageShell {
  project: string;
  title: string;
  nav: NavKey;
  /** Shown above the live part and not refreshed (e.g. filters). */
  intro?: Html;
  /** The live part, also served alone at `fragment`. */
  body: Html;
  fragment: string;
  events: string;
  /** Whether to show the logout button (only when logging in is possible). */
  loggedIn: boolean;
}

export function page(p: PageShell): Html {
  return html`<!doctype html>
<html lang="en">
${head(p.title)}
<body>
<a class="skip" href="#content">Skip to content</a>
<header>
<span class="brand">pitcrew · ${p.project}</span>
<nav aria-label="Dashboard">
<ul>${NAV.map((n) => html`<li><a href="${n.href}"${n.key === p.nav ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul>
</nav>
${p.loggedIn ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ''}
</header>
<main id="content" tabindex="-1">
<h1>${p.title}</h1>
<p class="status" id="live-status">Updates live when scripts run; reload otherwise.</p>
${p.intro ?? ''}
<div id="live" data-fragment="${p.fragment}" data-events="${p.events}">
${p.body}
</div>
</main>
</body>
</html>`;
}

export function loginPage(project: string, next: string, error?: string): Html {
  return html`<!doctype html>
<html lang="en">
${head('Log in')}
<body>
<main id="content" class="login">
<h1>pitcrew · ${project}</h1>
<form method="post" action="/login">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${next}">
<button type="submit">Log in</button>
</form>
<p>Any API token: one of <code>server.tokens</code>, or one made with <code>pitcrew token create</code>.</p>
</main>
</body>
</html>`;
}

export function notFoundPage(project: string, what: string): Html {
  return html`<!doctype html>
<html lang="en">
${head('Not found')}
<body>
<main id="content">
<h1>Not found</h1>
<p>${what}</p>
<p><a href="/">Back to the fleet</a> · project ${project}</p>
</main>
</body>
</html>`;
}
