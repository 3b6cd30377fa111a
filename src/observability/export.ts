/**
 * Writes the monitoring files for an installation: Prometheus scrape jobs,
 * rules and their promtool tests, Grafana dashboards, an Alertmanager route
 * example and a README. The same options always give the same bytes.
 * Writes only under `outDir`, and never a credential.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderAlertmanager } from './alertmanager.js';
import { deploymentPipelineDashboard, runnerHealthDashboard } from './dashboards.js';
import { renderReadme } from './export-readme.js';
import { resolveExportOptions, type ExportOptions, type ResolvedExportOptions } from './export-options.js';
import { renderRules } from './rules.js';
import { renderRulesTests } from './rules-tests.js';
import { renderScrape } from './scrape.js';
import { toJson } from './yaml-out.js';

export type { ExportOptions, MonitoringRunner } from './export-options.js';

/** Relative path -> content, in a fixed order. */
export function renderMonitoring(options: ExportOptions): Array<[string, string]> {
  const o: ResolvedExportOptions = resolveExportOptions(options);
  return [
    ['prometheus/scrape.yml', renderScrape(o)],
    ['prometheus/rules.yml', renderRules(o)],
    ['prometheus/rules.test.yml', renderRulesTests(o)],
    ['grafana/runner-health.json', toJson(runnerHealthDashboard(o))],
    ['grafana/deployment-pipeline.json', toJson(deploymentPipelineDashboard(o))],
    ['alertmanager/route.example.yml', renderAlertmanager(o)],
    ['README.md', renderReadme(o)],
  ];
}

export interface FsPort {
  mkdir(path: string): Promise<unknown>;
  writeFile(path: string, data: string): Promise<void>;
}

const nodeFs: FsPort = { mkdir: (p) => mkdir(p, { recursive: true }), writeFile: (p, d) => writeFile(p, d, 'utf8') };

/**
 * @returns the written files' paths, relative to `outDir`.
 * @throws UsageError for options that cannot be exported (names, URLs).
 * @example
 * await exportMonitoring('monitoring', { runners: [{ name: 'r1' }], serverUrl: 'http://pitcrew:8080',
 *   environments: ['production'], runbookBaseUrl: 'https://github.com/acme/pitcrew/blob/main' });
 */
export async function exportMonitoring(outDir: string, options: ExportOptions, fs: FsPort = nodeFs): Promise<{ files: string[] }> {
  const rendered = renderMonitoring(options);
  for (const [rel, content] of rendered) {
    const path = join(outDir, rel);
    await fs.mkdir(dirname(path));
    await fs.writeFile(path, content);
  }
  return { files: rendered.map(([rel]) => rel) };
}
