import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRerun, type RerunCandidate, type RunnerStateChange } from '../../src/fleet/failover.js';
import { parseWorkflowJobEvent } from '../../src/github/webhook.js';
import { workflowJobDelivery } from '../support/fake-github.js';

const STARTED = '2024-05-01T10:00:00Z';
const COMPLETED = '2024-05-01T10:05:00Z';
const t = (iso: string) => Date.parse(iso);
const at = (offsetSec: number) => t(STARTED) + offsetSec * 1000;

function job(fields: Partial<RerunCandidate> = {}): RerunCandidate {
  return {
    id: 42,
    runAttempt: 1,
    status: 'completed',
    conclusion: 'failure',
    runnerName: 'runner-a',
    startedAt: STARTED,
    completedAt: COMPLETED,
    ...fields,
  };
}

const onlineAllAlong: RunnerStateChange[] = [{ atMs: at(-3600), state: 'online' }];
const diesMidJob: RunnerStateChange[] = [...onlineAllAlong, { atMs: at(120), state: 'offline' }];

interface Row {
  name: string;
  job: RerunCandidate;
  history: RunnerStateChange[];
  rerunAlready?: [number, number][];
  maxAttempts?: number;
  rerun: boolean;
  reason: RegExp;
}

const table: Row[] = [
  { name: 'runner went offline during the job', job: job(), history: diesMidJob, rerun: true, reason: /offline during the job; re-running job 42 \(attempt 2 of at most 3\)/ },
  { name: 'cancelled because the runner died', job: job({ conclusion: 'cancelled' }), history: diesMidJob, rerun: true, reason: /offline during the job/ },
  {
    name: 'lost communication: runner offline when GitHub completed the job',
    job: job(),
    history: [...onlineAllAlong, { atMs: at(300) + 5_000, state: 'offline' }],
    rerun: true,
    reason: /offline at completion \(lost communication\)/,
  },
  {
    name: 'runner was already offline when the job started',
    job: job(),
    history: [{ atMs: at(-10), state: 'offline' }],
    rerun: true,
    reason: /offline during the job/,
  },
  {
    name: 'runner went offline and came back during the job',
    job: job(),
    history: [...diesMidJob, { atMs: at(150), state: 'online' }],
    rerun: true,
    reason: /offline during the job/,
  },
  { name: 'failure on a healthy runner is a real failure', job: job(), history: onlineAllAlong, rerun: false, reason: /stayed up during job 42: a real failure/ },
  {
    name: 'a degraded runner is not a lost runner',
    job: job(),
    history: [...onlineAllAlong, { atMs: at(60), state: 'degraded' }],
    rerun: false,
    reason: /a real failure/,
  },
  {
    name: 'runner died long after the job completed',
    job: job(),
    history: [...onlineAllAlong, { atMs: at(300 + 600), state: 'offline' }],
    rerun: false,
    reason: /a real failure/,
  },
  {
    name: 'runner died before the job started and was back by then',
    job: job(),
    history: [{ atMs: at(-600), state: 'offline' }, { atMs: at(-300), state: 'online' }],
    rerun: false,
    reason: /a real failure/,
  },
  { name: 'successful job', job: job({ conclusion: 'success' }), history: diesMidJob, rerun: false, reason: /concluded success/ },
  { name: 'timed out job', job: job({ conclusion: 'timed_out' }), history: diesMidJob, rerun: false, reason: /only failure or cancelled/ },
  { name: 'job still running', job: job({ status: 'in_progress', conclusion: null }), history: diesMidJob, rerun: false, reason: /is in_progress, not completed/ },
  { name: 'job that never got a runner', job: job({ runnerName: null }), history: diesMidJob, rerun: false, reason: /never ran on a runner/ },
  { name: 'same attempt already re-run', job: job(), history: diesMidJob, rerunAlready: [[42, 1]], rerun: false, reason: /attempt 1 of job 42 was already re-run/ },
  { name: 'an earlier attempt was re-run, this one was not', job: job({ runAttempt: 2 }), history: diesMidJob, rerunAlready: [[42, 1]], rerun: true, reason: /attempt 3 of at most 3/ },
  { name: 'attempts exhausted at the default maximum', job: job({ runAttempt: 3 }), history: diesMidJob, rerun: false, reason: /attempt 3, the maximum is 3/ },
  { name: 'a configured maximum of 1 never re-runs', job: job(), history: diesMidJob, maxAttempts: 1, rerun: false, reason: /the maximum is 1/ },
  { name: 'no health history for the runner', job: job(), history: [], rerun: false, reason: /no health history for runner runner-a/ },
  {
    name: 'history begins after the job started',
    job: job(),
    history: [{ atMs: at(200), state: 'offline' }],
    rerun: false,
    reason: /starts after job 42 started/,
  },
  { name: 'unparseable timestamps', job: job({ completedAt: 'yesterday' }), history: diesMidJob, rerun: false, reason: /no valid started_at\/completed_at/ },
];

for (const row of table) {
  test(`decideRerun: ${row.name} -> ${row.rerun ? 'rerun' : 'no rerun'}`, () => {
    const done = new Set((row.rerunAlready ?? []).map(([id, attempt]) => `${id}#${attempt}`));
    const decision = decideRerun(row.job, {
      runnerHistory: (name) => (name === 'runner-a' ? row.history : []),
      alreadyRerun: (id, attempt) => done.has(`${id}#${attempt}`),
      maxAttempts: row.maxAttempts,
    });
    assert.equal(decision.rerun, row.rerun, decision.reason);
    assert.match(decision.reason, row.reason);
  });
}

test('history given out of order is read in time order', () => {
  const decision = decideRerun(job(), {
    runnerHistory: () => [{ atMs: at(150), state: 'online' }, { atMs: at(120), state: 'offline' }, { atMs: at(-3600), state: 'online' }],
    alreadyRerun: () => false,
  });
  assert.equal(decision.rerun, true);
});

test('the grace period after completion is configurable', () => {
  const history: RunnerStateChange[] = [...onlineAllAlong, { atMs: at(300) + 90_000, state: 'offline' }];
  const base = { runnerHistory: () => history, alreadyRerun: () => false };
  assert.equal(decideRerun(job(), base).rerun, false);
  assert.equal(decideRerun(job(), { ...base, graceMs: 120_000 }).rerun, true);
});

test('takes a job straight from a parsed workflow_job delivery', () => {
  const body = JSON.stringify(
    workflowJobDelivery('completed', { conclusion: 'failure', runner_name: 'runner-a', started_at: STARTED, completed_at: COMPLETED }),
  );
  const d = parseWorkflowJobEvent({ 'x-github-event': 'workflow_job', 'x-github-delivery': 'd1' }, body);
  assert.ok(d.kind === 'workflow_job');
  const decision = decideRerun(d.event.job, { runnerHistory: () => diesMidJob, alreadyRerun: () => false });
  assert.deepEqual(decision.rerun, true);
});
