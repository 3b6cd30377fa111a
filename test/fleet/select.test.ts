import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectRunner, type RunnerCandidate } from '../../src/fleet/select.js';

function runner(name: string, over: Partial<RunnerCandidate> = {}): RunnerCandidate {
  return { name, environments: ['production'], priority: 5, authorized: true, state: 'online', reasons: [], labels: ['self-hosted', 'deploy'], ...over };
}

const primary = (over: Partial<RunnerCandidate> = {}) => runner('primary', { priority: 1, ...over });
const secondary = (over: Partial<RunnerCandidate> = {}) => runner('secondary', { priority: 2, ...over });

test('the healthy primary (lowest priority number) is chosen and the secondary stands by', () => {
  const s = selectRunner('production', [secondary(), primary()]);
  assert.equal(s.runner?.name, 'primary');
  assert.deepEqual(s.considered, [
    { name: 'primary', verdict: 'chosen', why: 'online, priority 1' },
    { name: 'secondary', verdict: 'standby', why: 'online, after primary (priority 2 after 1)' },
  ]);
  assert.equal(s.summary, 'primary will deploy to production');
  assert.equal(s.warning, undefined);
});

const failovers: Array<{ name: string; primary: RunnerCandidate; why: string }> = [
  {
    name: 'offline',
    primary: primary({ state: 'offline', reasons: ['no heartbeat for 5.2 s (timeout 3 s)'] }),
    why: 'offline: no heartbeat for 5.2 s (timeout 3 s)',
  },
  {
    name: 'degraded',
    primary: primary({ state: 'degraded', reasons: ['disk free 4.1% < 10% on /home/runner/_work'] }),
    why: 'degraded: disk free 4.1% < 10% on /home/runner/_work',
  },
  { name: 'unauthorized', primary: primary({ authorized: false }), why: 'authorization revoked; it may not deploy to production' },
  { name: 'not meant for the environment', primary: primary({ environments: ['staging'] }), why: 'not authorized for production (its environments: staging)' },
];

for (const f of failovers) {
  test(`fails over to the secondary when the primary is ${f.name}`, () => {
    const s = selectRunner('production', [f.primary, secondary()]);
    assert.equal(s.runner?.name, 'secondary');
    assert.deepEqual(s.considered[0], { name: 'primary', verdict: 'passed-over', why: f.why });
    assert.equal(s.considered[1].verdict, 'chosen');
    assert.equal(s.warning, undefined);
  });
}

test('a degraded runner is chosen only when nothing online is left, and then with a warning', () => {
  const s = selectRunner('production', [
    primary({ state: 'offline', reasons: ['runner service down'] }),
    secondary({ state: 'degraded', reasons: ['memory available 3.2% < 5%'] }),
  ]);
  assert.equal(s.runner?.name, 'secondary');
  assert.deepEqual(s.considered[1], { name: 'secondary', verdict: 'chosen', why: 'degraded, chosen as nothing healthier is left: memory available 3.2% < 5%' });
  assert.equal(s.warning, 'no online runner can deploy to production; secondary is degraded (memory available 3.2% < 5%) and was chosen as the last resort');
});

test('when nobody qualifies, the result explains each runner', () => {
  const s = selectRunner('production', [
    primary({ state: 'offline', reasons: ['runner service down: runner.service is failed'] }),
    secondary({ authorized: false }),
    runner('ci-1', { environments: [], priority: 10 }),
  ]);
  assert.equal(s.runner, undefined);
  assert.ok(s.considered.every((c) => c.verdict === 'passed-over'));
  assert.equal(
    s.summary,
    'no runner can deploy to production: primary offline: runner service down: runner.service is failed; ' +
      'secondary authorization revoked; it may not deploy to production; ci-1 not authorized for production (its environments: none)',
  );
});

test('no runners at all is explained too', () => {
  assert.equal(selectRunner('production', []).summary, 'no runner can deploy to production: no runners are registered');
});

test('equal priority: a runner that is not busy goes first, then name order', () => {
  const s = selectRunner('production', [runner('b'), runner('a', { busy: true }), runner('c')]);
  assert.deepEqual(
    s.considered.map((c) => [c.name, c.verdict]),
    [
      ['b', 'chosen'],
      ['c', 'standby'],
      ['a', 'standby'],
    ],
  );
  assert.equal(s.considered[2].why, 'online, after b (busy)');
});

test('a busy runner with a lower priority number still beats an idle one with a higher number', () => {
  assert.equal(selectRunner('production', [primary({ busy: true }), secondary()]).runner?.name, 'primary');
});

test('required labels and exclusions pass runners over with the reason', () => {
  const s = selectRunner('production', [primary(), secondary({ labels: ['self-hosted'] }), runner('third', { priority: 10 })], {
    requiredLabels: ['deploy'],
    exclude: { primary: 'its deploy job died with it' },
  });
  assert.equal(s.runner?.name, 'third');
  assert.deepEqual(
    s.considered.map((c) => c.why),
    ['excluded: its deploy job died with it', 'missing label deploy', 'online, priority 10'],
  );
});

test('selection is deterministic whatever the input order', () => {
  const rs = [runner('d', { priority: 9 }), runner('b'), runner('a', { busy: true }), runner('c', { state: 'offline', reasons: ['x'] })];
  const expected = selectRunner('production', rs);
  for (const order of [[...rs].reverse(), [rs[2], rs[0], rs[3], rs[1]]]) {
    assert.deepEqual(selectRunner('production', order), expected);
  }
});
