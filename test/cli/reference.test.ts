import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { renderCliReference } from '../../src/cli/reference.js';

test('docs/cli.md matches the command definitions (run `npm run docs:cli` after changing a command)', async () => {
  const onDisk = await readFile(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
  assert.equal(onDisk, await renderCliReference());
});

test('the reference documents every command and its options', async () => {
  const text = await renderCliReference();
  for (const heading of ['## `pitcrew hook job-started`', '## `pitcrew config check`', '## `pitcrew monitoring export`', '## `pitcrew agent install`']) {
    assert.ok(text.includes(heading), heading);
  }
  assert.match(text, /\| `--out <dir>` \|/);
});
