/**
 * The demo's queue step: deploy v4 through the runner `select` now names
 * (the secondary), and while it holds the lock start a second deploy, which
 * waits its turn in the FIFO queue and runs after the first has finished.
 * Checked against the store: the lock's queue, both deployments' results,
 * their order and fencing tokens. Must never let the two interleave.
 */
import { DemoStepFailed, expectThat, waitFor } from './checks.js';
import { deployRelease, holdBeforeSwitch } from './deploys.js';
import type { StoryContext, StoryStep } from './story.js';
import { ENVIRONMENT } from './workspace.js';

export const queueStep: StoryStep = {
  title: 'deploy v4 through the secondary, a second deploy queued behind it',
  async run(s: StoryContext) {
    const step = this.title;
    const chosen = (await s.client.select(ENVIRONMENT)).runner;
    if (chosen !== 'secondary') throw new DemoStepFailed(step, `select chose ${chosen ?? 'no runner'}, not secondary`);
    const runner: string = chosen;
    s.say(`Deploy v4 through ${runner}, the runner select chose (#1). While it holds the lock, a second deploy of v4 starts (#2), as a second pipeline would.`);
    s.say('  (#1 pauses before its switch until #2 is in the queue, so the queue can be seen.)');
    let queuedPosition: number | undefined;
    let startSecond: () => void = () => undefined;
    const secondMayStart = new Promise<void>((resolve) => (startSecond = resolve));
    const first = deployRelease(s, 'v4', runner, {
      tag: '[#1] ',
      wrap: (coord) => holdBeforeSwitch(coord, async () => {
        startSecond();
        const status = await waitFor(step, 'the second deploy to join the lock queue', async () => {
          const st = await coord.lockStatus(ENVIRONMENT);
          return st.queue.length > 0 ? st : undefined;
        }, 20_000, s.signal);
        queuedPosition = status.queue[0].position;
        s.say(`  the store's lock on ${ENVIRONMENT}: held by #1 (fencing token ${status.holder?.fencingToken}), #2 at position ${queuedPosition} in the queue`);
      }),
    });
    // A second deploy is only started once the first holds the lock (or has already failed).
    await Promise.race([secondMayStart, first.catch(() => undefined)]);
    const lines: string[] = [];
    const second = deployRelease({ ...s, say: (line) => { lines.push(line); s.say(line); } }, 'v4', runner, { tag: '[#2] ' });
    const [a, b] = await Promise.all([first, second]);
    expectThat(queuedPosition === 1, step, `the second deploy was ${queuedPosition === undefined ? 'never seen in the queue' : `at position ${queuedPosition}, not 1`}`);
    expectThat(lines.some((l) => l.includes('position 1 in the queue')), step, 'the second deploy never said it waited at position 1 in the queue');
    for (const [tag, r] of [['#1', a], ['#2', b]] as const) {
      if (r.result !== 'succeeded') throw new DemoStepFailed(step, `deploy ${tag} of v4 ended ${r.result}${r.error ? `: ${r.error}` : ''}`);
    }
    const recorded = await s.store.listDeployments({ environment: ENVIRONMENT });
    const one = recorded.find((d) => d.id === a.deploymentId);
    const two = recorded.find((d) => d.id === b.deploymentId);
    expectThat(one !== undefined && two !== undefined, step, 'the store lacks one of the two v4 deployments');
    expectThat(one!.runner === runner && two!.runner === runner, step, `the store recorded runners ${one!.runner} and ${two!.runner}, not ${runner}`);
    expectThat((one!.finishedAt ?? Infinity) <= two!.startedAt, step, 'the second deploy started before the first had finished');
    expectThat((two!.fencingToken ?? 0) > (one!.fencingToken ?? 0), step, `fencing tokens ${one!.fencingToken} then ${two!.fencingToken} do not grow`);
    s.say(`  recorded: #1 succeeded (fencing token ${one!.fencingToken}), then #2 took the lock after waiting ${((two!.lockWaitMs ?? 0) / 1000).toFixed(1)} s and succeeded (token ${two!.fencingToken}); never interleaved`);
  },
};
