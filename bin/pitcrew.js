#!/usr/bin/env node
// The bin only sets the exit code; everything else lives in main(). It runs
// the bundle of the compiled CLI (scripts/bundle.mjs): a few files per command
// load far faster than the ~400 ES modules they are made of.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/bundle/cli/bin.js', import.meta.url);
// tsc's build info exists only where pitcrew was built from source. There, a
// bundle older than it (tsc run alone after a change) would quietly run the
// code as it was before that change: refuse, and say how to rebuild.
const tscBuilt = statSync(new URL('../dist/.tsbuildinfo', import.meta.url), { throwIfNoEntry: false });
const bundled = tscBuilt && statSync(bundle, { throwIfNoEntry: false });
if (tscBuilt && (!bundled || bundled.mtimeMs < tscBuilt.mtimeMs)) {
  const state = bundled ? 'is older than the last tsc build (dist/.tsbuildinfo)' : 'is missing';
  process.stderr.write(`pitcrew: the CLI bundle ${fileURLToPath(bundle)} ${state}; run \`npm run build\` (tsc, then scripts/bundle.mjs)\n`);
  process.exitCode = 5;
} else {
  const { run } = await import(bundle.href);
  process.exitCode = await run();
}
