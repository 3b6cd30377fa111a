/**
 * The CLI as shipped: bin/pitcrew.js runs the esbuild bundle in
 * dist/bundle/cli (scripts/bundle.mjs), never the tsc output in dist/src, and
 * what the code finds at run time (package.json, docs/runbooks) it finds from
 * the bundle too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, PITCREW_BIN, runPitcrew } from '../scenarios/support/cli.js';

const BUNDLE_DIR = join(PACKAGE_ROOT, 'dist', 'bundle', 'cli');
/** scripts/bundle.mjs EXTERNAL, as package names: the only packages node loads from node_modules itself. */
const EXTERNAL = ['better-sqlite3', 'pg', 'ssh2', 'cpu-features', 'bufferutil', 'utf-8-validate'];

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs `node bin/pitcrew.js ARGS` with a module hook that records the URL of
 * every ES module node loads (CommonJS files that those require() are not
 * seen: they are inside the packages already recorded).
 */
function loadedModules(t: { after(fn: () => void): void }, args: string[]): { code: number | null; stderr: string; files: string[] } {
  const dir = tempDir(t);
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return nextLoad(url, context);
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, PITCREW_BIN, ...args], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const files = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((u) => relative(PACKAGE_ROOT, fileURLToPath(u))) : [];
  return { code: r.status, stderr: r.stderr, files };
}

for (const args of [['deploy', '--help'], ['--help'], ['agent', '--help']]) {
  test(`pitcrew ${args.join(' ')} runs the bundle: no module of dist/src, and from node_modules only the packages kept out of it`, (t) => {
    const r = loadedModules(t, args);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.files.includes(join('bin', 'pitcrew.js')), r.files.join('\n'));
    assert.ok(r.files.includes(join('dist', 'bundle', 'cli', 'bin.js')), r.files.join('\n'));
    for (const f of r.files) {
      if (f === join('bin', 'pitcrew.js') || f.startsWith(join('dist', 'bundle', 'cli') + sep)) continue;
      const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.split(sep).join('/'))?.[1];
      assert.ok(pkg !== undefined && EXTERNAL.includes(pkg), `${args.join(' ')} loaded ${f}, which should be in the bundle`);
    }
  });
}

test('pitcrew --version from the bundle prints the version in package.json', async () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await runPitcrew(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

test('monitoring export from the bundle links the alerts to the runbooks of this installation by default', async (t) => {
  const out = tempDir(t);
  const r = await runPitcrew(['--config', join(PACKAGE_ROOT, 'examples', 'pitcrew.yml'), 'monitoring', 'export', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const rules = readFileSync(join(out, 'prometheus', 'rules.yml'), 'utf8');
  const url = /runbook_url: (\S+\/runner-offline\.md)$/m.exec(rules)?.[1];
  assert.equal(url, `${pathToFileURL(PACKAGE_ROOT).href}/docs/runbooks/runner-offline.md`);
  assert.ok(existsSync(fileURLToPath(url)), `${url} exists`);
});

test('the bundle has source maps that lead back to the TypeScript sources', () => {
  const map = JSON.parse(readFileSync(join(BUNDLE_DIR, 'bin.js.map'), 'utf8')) as { sources: string[] };
  assert.ok(map.sources.includes('../../../src/cli/bin.ts'), map.sources.join(', '));
  assert.match(readFileSync(join(BUNDLE_DIR, 'bin.js'), 'utf8'), /\/\/# sourceMappingURL=bin\.js\.map\n$/);
});

test('packageRoot finds the nearest folder whose package.json is named pitcrew, at any depth; none outside a package', async (t) => {
  const dir = tempDir(t);
  const compiled = fileURLToPath(new URL('../../src/version.js', import.meta.url));
  // As installed: the bundle three folders down, a package.json of another name in between.
  const pkg = join(dir, 'pkg');
  mkdirSync(join(pkg, 'dist', 'bundle', 'cli'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pitcrew', version: '9.8.7', type: 'module' }));
  writeFileSync(join(pkg, 'dist', 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0', type: 'module' }));
  copyFileSync(compiled, join(pkg, 'dist', 'bundle', 'cli', 'version.js'));
  const inPackage = (await import(pathToFileURL(join(pkg, 'dist', 'bundle', 'cli', 'version.js')).href)) as typeof import('../../src/version.js');
  assert.equal(inPackage.packageRoot(), pkg);
  assert.equal(inPackage.packageVersion(), '9.8.7');

  const loose = join(dir, 'loose');
  mkdirSync(loose);
  copyFileSync(compiled, join(loose, 'version.mjs'));
  const outside = (await import(pathToFileURL(join(loose, 'version.mjs')).href)) as typeof import('../../src/version.js');
  assert.equal(outside.packageRoot(), undefined);
  assert.equal(outside.packageVersion(), '0.0.0');
});

/** bin/pitcrew.js in a package of its own, whose bundle is a stand-in that exits 7. */
function standInPackage(t: { after(fn: () => void): void }, files: { tscBuildInfo?: number; bundle?: number }) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pitcrew', version: '9.8.7', type: 'module' }));
  copyFileSync(PITCREW_BIN, join(dir, 'bin', 'pitcrew.js'));
  mkdirSync(join(dir, 'dist', 'bundle', 'cli'), { recursive: true });
  const bundle = join(dir, 'dist', 'bundle', 'cli', 'bin.js');
  const info = join(dir, 'dist', '.tsbuildinfo');
  if (files.bundle !== undefined) {
    writeFileSync(bundle, 'export async function run() { return 7; }\n');
    utimesSync(bundle, files.bundle, files.bundle);
  }
  if (files.tscBuildInfo !== undefined) {
    writeFileSync(info, '{}');
    utimesSync(info, files.tscBuildInfo, files.tscBuildInfo);
  }
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'pitcrew.js'), '--version'], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stderr: r.stderr, bundle };
}

test('bin/pitcrew.js runs the bundle when it is newer than the last tsc build, or when there is no tsc build (an installed package)', (t) => {
  assert.equal(standInPackage(t, { tscBuildInfo: 1_000_000, bundle: 2_000_000 }).code, 7);
  assert.equal(standInPackage(t, { bundle: 2_000_000 }).code, 7);
});

test('bin/pitcrew.js refuses a bundle older than the last tsc build, or none, and says how to rebuild', (t) => {
  const stale = standInPackage(t, { tscBuildInfo: 2_000_000, bundle: 1_000_000 });
  assert.equal(stale.code, 5);
  assert.equal(stale.stderr, `pitcrew: the CLI bundle ${stale.bundle} is older than the last tsc build (dist/.tsbuildinfo); run \`npm run build\` (tsc, then scripts/bundle.mjs)\n`);
  const missing = standInPackage(t, { tscBuildInfo: 2_000_000 });
  assert.equal(missing.code, 5);
  assert.equal(missing.stderr, `pitcrew: the CLI bundle ${missing.bundle} is missing; run \`npm run build\` (tsc, then scripts/bundle.mjs)\n`);
});
