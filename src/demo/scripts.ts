/**
 * The node scripts the demo writes into its workspace and runs as real child
 * processes: the stand-in runner, the small HTTP app each target serves, and
 * the health check each release ships. They use node's standard library only,
 * so they run from the workspace with no install. They must never listen
 * beyond 127.0.0.1.
 */

/** Stands in for a GitHub runner: a process that stays up until it is killed. */
export const RUNNER_SCRIPT = `// Stands in for a self-hosted GitHub Actions runner: alive until killed.
process.title = 'pitcrew-demo-runner';
setInterval(() => undefined, 60_000);
`;

/**
 * Serves a target's current release on 127.0.0.1:PORT. It reads the release
 * on every request, so a switch of \`current\` shows at once, with no restart.
 * Usage: node app.mjs TARGET_FOLDER PORT TARGET_NAME
 */
export const APP_SCRIPT = `// The demo app: serves TARGET_FOLDER/current on 127.0.0.1:PORT, re-read per request.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [folder, port, name] = process.argv.slice(2);
const current = (file) => readFile(join(folder, 'current', file), 'utf8');

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/health') {
      const health = JSON.parse(await current('health.json'));
      const failing = (health.failOn ?? []).includes(name);
      res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(failing ? 'unhealthy: this release cannot start on ' + name + '\\n' : 'ok\\n');
      return;
    }
    const version = (await current('VERSION')).trim();
    res.writeHead(200, { 'content-type': 'text/html', 'x-release': version });
    res.end(await current('index.html'));
  } catch (err) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no release to serve yet: ' + err.message + '\\n');
  }
});
server.listen(Number(port), '127.0.0.1');
`;

/**
 * Shipped in every release and run by the engine in \`current\` after each
 * switch: an HTTP GET of this target's /health (the port is in the target
 * folder's app.port), passing on 200 only.
 */
export const HEALTH_SCRIPT = `// Health check shipped with the release: GET http://127.0.0.1:PORT/health must answer 200.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const port = readFileSync(join(process.env.PITCREW_PATH, 'app.port'), 'utf8').trim();
const url = 'http://127.0.0.1:' + port + '/health';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const body = (await res.text()).trim();
  console.log(url + ' answered ' + res.status + ': ' + body);
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  console.log(url + ' did not answer: ' + err.message);
  process.exit(1);
}
`;

/** The files of one release of the demo app. `failOn` names the targets where its /health answers 500. */
export function releaseFiles(version: string, failOn: readonly string[] = []): Record<string, string> {
  return {
    'VERSION': `${version}\n`,
    'index.html': `<!doctype html><title>demo app ${version}</title><h1>demo app ${version}</h1>\n`,
    'health.json': `${JSON.stringify({ failOn })}\n`,
    'health.mjs': HEALTH_SCRIPT,
  };
}
