// Bundles the compiled CLI (dist/src/cli/bin.js, from tsc) with esbuild into
// dist/bundle/cli/, which is what bin/pitcrew.js loads. Run after tsc: it reads
// dist/src, not src. Usage: node scripts/bundle.mjs
//
// Why: loaded as separate ES modules, our ~120 files and the ~280 of kysely,
// zod, yaml and commander made every command start twice as slow (0.44 s
// against 0.22 s for `pitcrew deploy --help`). Code splitting follows the lazy
// imports in src/cli/commands/index.ts, so each command still loads only its
// own code. See docs/architecture.md, "Build, and how the CLI loads".
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const ENTRY = 'dist/src/cli/bin.js';
// At the depth of dist/src/cli, so relative paths from the bundle's files to
// the package root are the same as from the tsc output's.
export const BUNDLE_DIR = 'dist/bundle/cli';

/**
 * Packages left to node's own loader, each for a reason esbuild cannot work
 * around; everything else (kysely, zod, yaml, commander, hono, prom-client,
 * ws, tar, @octokit) is pure JavaScript and is inlined.
 */
const EXTERNAL = [
  // Native add-on, found through `bindings`, which searches from the caller's file.
  'better-sqlite3',
  // CommonJS with an optional `pg-native` require; loaded only for postgres:// stores.
  'pg',
  // Loads its native crypto binding relative to __dirname, and cpu-features (a native add-on) in a try.
  'ssh2',
  'cpu-features',
  // ws's optional native speed-ups, required in a try: absent, ws falls back to JavaScript.
  'bufferutil',
  'utf-8-validate',
];

// Bundled CommonJS (commander, prom-client, ws) calls require() for node's
// built-ins; an ES module has no require, so each output file gets one.
const BANNER = "import { createRequire as __pitcrewCreateRequire } from 'node:module'; const require = __pitcrewCreateRequire(import.meta.url);";

/**
 * The inputs the entry file reaches without a dynamic import: what bin.ts
 * loads before it picks the command (it tunes V8 for the agent first).
 */
function staticInputs(metafile, from) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !metafile.inputs[path]) return;
    seen.add(path);
    // What a CommonJS module requires loads with it, as a static import does.
    for (const i of metafile.inputs[path].imports) if ((i.kind === 'import-statement' || i.kind === 'require-call') && !i.external) visit(i.path);
  };
  visit(from);
  return seen;
}

/**
 * The entry output and the chunks it imports statically must hold nothing but
 * what bin.ts itself imports statically: code splitting may not move main.js
 * or a library in front of `tuneV8ForAgent()`, or the agent would load them
 * with V8's default flags.
 */
function checkEntryLoadsOnlyItsOwnImports(metafile, entryOutput) {
  const allowed = staticInputs(metafile, ENTRY);
  const seen = new Set();
  const visit = (out) => {
    if (seen.has(out)) return;
    seen.add(out);
    const o = metafile.outputs[out];
    for (const input of Object.keys(o.inputs)) {
      if (!allowed.has(input)) throw new Error(`scripts/bundle.mjs: ${out} loads ${input} before ${ENTRY} runs; it must only hold what ${ENTRY} imports statically`);
    }
    for (const i of o.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOutput);
}

/**
 * Builds the bundle afresh. Files of an older build that this one did not
 * write are removed afterwards rather than before: chunk names carry a hash
 * of their content, so a process still running from the older build (a demo,
 * a server) keeps finding the unchanged chunks it has yet to import lazily.
 */
export async function bundleCli({ root = ROOT, quiet = false } = {}) {
  const started = Date.now();
  const outdir = join(root, BUNDLE_DIR);
  if (!existsSync(join(root, ENTRY))) throw new Error(`scripts/bundle.mjs: ${join(root, ENTRY)} is missing; run tsc first (npm run build runs both)`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
    // Linked maps through tsc's own maps back to src/*.ts: `node --enable-source-maps`
    // shows TypeScript lines; without the flag node never reads them.
    sourcemap: 'linked',
    sourcesContent: false,
    // esbuild's default ASCII-only output (other characters escaped) also keeps
    // every file a one-byte string in V8: a single non-ASCII character would
    // make V8 hold a whole shared chunk at two bytes a character.
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
    // Checked below before anything is written.
    write: false,
  });
  const entryOutput = Object.keys(result.metafile.outputs).find((o) => result.metafile.outputs[o].entryPoint === ENTRY);
  if (!entryOutput) throw new Error(`scripts/bundle.mjs: esbuild wrote no output for ${ENTRY}`);
  checkEntryLoadsOnlyItsOwnImports(result.metafile, entryOutput);
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  const written = new Set(result.outputFiles.map((f) => f.path));
  for (const name of readdirSync(outdir)) {
    if (!written.has(join(outdir, name))) rmSync(join(outdir, name), { recursive: true, force: true });
  }
  if (!quiet) {
    const js = Object.entries(result.metafile.outputs).filter(([o]) => o.endsWith('.js'));
    const kib = js.reduce((n, [, o]) => n + o.bytes, 0) / 1024;
    console.log(`bundled ${ENTRY} into ${relative(root, outdir)}/: ${js.length} files, ${kib.toFixed(0)} KiB, ${Date.now() - started} ms`);
  }
  return result.metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundleCli();
}
