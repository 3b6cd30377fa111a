import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOKS, checkIds } from '../../src/doctor/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

test('docs/doctor.md lists every check', () => {
  const doc = readFileSync(join(root, 'docs', 'doctor.md'), 'utf8');
  const missing = checkIds().filter((id) => !doc.includes(`\`${id}\``));
  assert.deepEqual(missing, []);
});

test('every runbook a check names exists, with symptoms, confirm, fix and verify sections', () => {
  for (const path of Object.values(RUNBOOKS)) {
    assert.ok(existsSync(join(root, path)), `${path} is missing`);
    const text = readFileSync(join(root, path), 'utf8');
    for (const section of ['## Symptoms', '## Confirm', '## Fix', '## Verify']) assert.ok(text.includes(section), `${path} has no ${section}`);
  }
});
