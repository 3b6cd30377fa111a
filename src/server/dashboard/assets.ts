/**
 * The dashboard's only assets, shipped inside the package as strings: one
 * stylesheet and one small script (live refresh). No build step, no
 * framework, nothing fetched from another origin. The page works without the
 * script; it only stops refreshing itself.
 */

export const CSS = `
:root{--fg:#1a1a1a;--muted:#4a4a4a;--bg:#fff;--line:#c8c8c8;--head:#f2f4f7;--link:#0645ad;--focus:#1d4ed8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,main:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:8px 16px;background:#17202e;color:#fff}
header .brand{font-weight:700}
header nav ul{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0;padding:0}
header nav a{color:#fff;text-decoration:none;padding:4px 2px;border-bottom:2px solid transparent}
header nav a[aria-current=page]{border-bottom-color:#7cc4ff}
header nav a:focus-visible{outline-color:#7cc4ff}
header form{margin-left:auto}
header button{background:transparent;color:#fff;border:1px solid #9aa4b2;border-radius:4px;padding:3px 10px;font:inherit;cursor:pointer}
main{padding:12px 16px 32px;max-width:1400px}
h1{font-size:1.5rem;margin:.3em 0}h2{font-size:1.2rem;margin:1.2em 0 .4em}h3{font-size:1.05rem;margin:1em 0 .3em}
.status{color:var(--muted);font-size:.9rem;margin:0 0 8px}
table{border-collapse:collapse;width:100%;margin:4px 0 12px}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:var(--head)}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:.85rem;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.b-online,.b-met,.b-succeeded,.b-done,.b-resolved,.b-ok{background:#dcf5e3;color:#0b5323}
.b-degraded,.b-running,.b-started,.b-waiting,.b-open{background:#fff3c4;color:#5c3f00}
.b-offline,.b-missed,.b-failed,.b-rolled-back,.b-expired{background:#fde2e2;color:#8a1111}
.b-unknown,.b-nodata,.b-info{background:#ececec;color:#333}
ul.reasons{margin:2px 0 0;padding-left:18px;color:var(--muted);font-size:.9rem}
.timeline{display:block;width:100%;min-width:120px;height:14px;border:1px solid var(--line)}
.timeline .online{fill:#2e9e52}.timeline .degraded{fill:#d9a300}.timeline .offline{fill:#c62828}.timeline .unknown{fill:#d0d0d0}
.legend{font-size:.85rem;color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.cardrow{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:12px}
section.card{border:1px solid var(--line);border-radius:6px;padding:4px 12px 10px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid var(--line);padding:8px;font-size:.85rem}
form.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end;margin:8px 0}
form.filters label{display:flex;flex-direction:column;font-size:.9rem}
select,input,form button{font:inherit;padding:4px 6px}
.login{max-width:380px;margin:10vh auto;padding:0 16px}
.login label{display:block;margin:12px 0 4px;font-weight:600}.login input{width:100%}
.login button{margin-top:12px;padding:6px 16px}
.error{color:#8a1111;font-weight:600}
.empty{color:var(--muted)}
code{overflow-wrap:anywhere}
@media (max-width:720px){
 main{padding:8px 10px 24px}
 table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards tr{border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:4px 0}
 table.cards td{border:0;padding:3px 10px;overflow-wrap:anywhere}
 table.cards td::before{content:attr(data-label);display:block;font-size:.8rem;font-weight:600;color:var(--muted)}
}
`;

/**
 * Listens to /events and, on each `changed`, fetches the live part of the
 * page again and swaps it in, keeping the keyboard focus where it was. Falls
 * back to polling once a second without EventSource.
 */
export const JS = `(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live) return;
  var status = document.getElementById('live-status');
  var fragment = live.getAttribute('data-fragment');
  var busy = false, again = false;
  function say(text) { if (status && status.textContent !== text) status.textContent = text; }
  function focusKey() {
    var a = document.activeElement;
    if (!a || !live.contains(a)) return null;
    return a.getAttribute('href') || a.id || null;
  }
  function refocus(key) {
    if (!key) return;
    var all = live.querySelectorAll('[href],[id]');
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute('href') === key || all[i].id === key) { all[i].focus(); return; }
    }
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(fragment, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) { window.location.assign('/login'); return null; }
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (typeof text !== 'string') return;
        var key = focusKey();
        live.innerHTML = text;
        refocus(key);
        say('Live: updated ' + new Date().toISOString().slice(11, 19) + ' UTC');
      })
      .catch(function () { say('Live updates interrupted; retrying'); })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  if (window.EventSource) {
    var events = new EventSource(live.getAttribute('data-events'));
    events.addEventListener('changed', refresh);
    events.onopen = function () { say('Live'); };
    events.onerror = function () { say('Live updates interrupted; reconnecting'); };
  } else {
    setInterval(refresh, 1000);
  }
})();
`;
