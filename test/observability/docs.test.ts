import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allAlerts, runbookSlug } from '../../src/observability/alerts.js';
import { METRIC_CATALOGUE } from '../../src/observability/catalogue.js';
import { resolveExportOptions } from '../../src/observability/export-options.js';
import { SAMPLE } from './support.js';

const root = join(import.meta.dirname, '../../..');

test('every alert has a runbook in docs/runbooks and a row in docs/monitoring.md', async () => {
  const monitoring = await readFile(join(root, 'docs/monitoring.md'), 'utf8');
  for (const a of allAlerts(resolveExportOptions(SAMPLE))) {
    const text = await readFile(join(root, 'docs/runbooks', `${runbookSlug(a.alert)}.md`), 'utf8');
    assert.match(text, new RegExp(`^# ${a.alert}`), `${a.alert} runbook title`);
    for (const section of ['## Symptoms', '## Confirm', '## Fix', '## Verify']) assert.ok(text.includes(section), `${a.alert} runbook: ${section}`);
    assert.ok(monitoring.includes(a.alert), `${a.alert} in docs/monitoring.md`);
  }
});

test('docs/metrics.md describes every metric with its type and labels', async () => {
  const text = await readFile(join(root, 'docs/metrics.md'), 'utf8');
  for (const def of METRIC_CATALOGUE) {
    const rows = text.split('\n').filter((l) => l.startsWith(`| \`${def.name}\``));
    const labels = Object.keys(def.labels);
    const row = rows.find((r) => r.includes(`| ${def.type} |`) && labels.every((l) => r.includes(`\`${l}\``)) && r.includes(def.process));
    assert.ok(row, `${def.name} (${def.type}, ${def.process}, labels ${labels.join(',') || 'none'}) has no row in docs/metrics.md`);
  }
});
