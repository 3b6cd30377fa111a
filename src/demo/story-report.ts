/**
 * The demo's last step: the report of the objectives, computed from the
 * store exactly as `pitcrew report` does, printed, and checked against the
 * five deployments the story made. Must never change the store.
 */
import { collectReportInput, computeReport, formatReport } from '../report/index.js';
import { expectThat } from './checks.js';
import type { StoryStep } from './story.js';

export const reportStep: StoryStep = {
  title: 'the report of the objectives',
  async run(s) {
    s.say('The report of the objectives, from the store (what `pitcrew report` prints):');
    const to = Date.now();
    const report = computeReport(await collectReportInput(s.store, { from: to - 3_600_000, to, environment: null }));
    const d = report.deployments;
    expectThat(d.total === 5 && d.succeeded === 4 && d.failed === 1 && d.rollbacks === 1, this.title,
      `the report counts ${d.total} deployments, ${d.succeeded} succeeded, ${d.failed} failed, ${d.rollbacks} rollbacks; expected 5, 4, 1, 1`);
    expectThat(report.objectives.length > 0, this.title, 'the report has no objectives');
    for (const line of formatReport(report, 'table').trimEnd().split('\n')) s.say(`    ${line}`);
  },
};
