/**
 * `pitcrew demo`: the whole of pitcrew on this machine, on the embedded
 * default (SQLite, local targets, no root, nothing outside 127.0.0.1). It
 * lays out a workspace, brings up the server, two agents watching two
 * stand-in runners, and three target apps, then tells the story (story.ts),
 * checking every step. It stays up for the dashboard until stopped, unless
 * `exit` is set. Must never leave a child process running, whatever ends it.
 */
import { resolve } from 'node:path';
import type { CliContext } from '../cli/context.js';
import { loadCliConfig } from '../cli/load-config.js';
import { openCommandStore } from '../cli/store.js';
import { ExitCode, isPitcrewError } from '../errors.js';
import { DemoStepFailed } from './checks.js';
import { Children } from './children.js';
import { freePort, startFleet, type DemoFleet } from './fleet.js';
import { STORY, type StoryContext, type StoryStep } from './story.js';
import { createWorkspace, ENVIRONMENT, TARGETS } from './workspace.js';

export interface DemoOptions {
  /** The workspace folder; default ./.pitcrew/demo. Wiped and recreated. */
  dir?: string;
  /** The server's port on 127.0.0.1; default a free one. */
  port?: number;
  /** End when the story is told instead of staying up. */
  exit?: boolean;
}

export interface DemoPorts {
  /** Resolves when the user asks to stop (SIGINT/SIGTERM), with the signal's name; stops listening when `done` aborts. */
  untilStopped: (done: AbortSignal) => Promise<string>;
  now?: () => number;
  /** The steps to tell; default STORY. */
  story?: readonly StoryStep[];
}

export const DEFAULT_DEMO_DIR = '.pitcrew/demo';

/** Runs the demo; returns the exit code (0 when every step behaved as narrated, 1 when one did not). */
export async function runDemo(ctx: CliContext, opts: DemoOptions, ports: DemoPorts): Promise<number> {
  const now = ports.now ?? (() => Date.now());
  const started = now();
  const say = (line: string) => ctx.io.stdout.write(`${line}\n`);
  const dir = resolve(ctx.io.cwd, opts.dir ?? DEFAULT_DEMO_DIR);
  const stop = new AbortController();
  const finished = new AbortController();
  const stopped = ports.untilStopped(finished.signal).then((signal) => {
    stop.abort(signal);
    return signal;
  });

  say(`pitcrew demo: a server, two runners with their agents and ${TARGETS.length} targets, all on this machine, in ${dir}`);
  const ws = await createWorkspace(dir, { server: opts.port ?? (await freePort()), apps: await Promise.all(TARGETS.map(() => freePort())) });
  const loaded = await loadCliConfig(ctx, ws.configPath);
  const environment = loaded.config.environments[ENVIRONMENT];
  const store = await openCommandStore(ctx, loaded);
  const children = new Children();
  let fleet: DemoFleet | undefined;
  try {
    fleet = await startFleet(ws, loaded.config, store, children, opts.port ?? Number(new URL(ws.serverUrl).port), (text) => ctx.masker.mask(text));
    say(`dashboard: ${fleet.url}/   (loopback only, no tokens)`);
    say(`workspace: ${ws.configPath}, database ${loaded.config.server.database} beside it, releases v1 to v4 in ${ws.dir}/artifacts`);
    const s: StoryContext = {
      ws, environment, say, signal: stop.signal, client: fleet.client, store, runners: fleet.runners, releases: {},
      openStore: () => openCommandStore(ctx, loaded),
    };
    let n = 0;
    for (const step of ports.story ?? STORY) {
      if (stop.signal.aborted) break;
      say('');
      say(`${++n}. ${step.title}`);
      try {
        await step.run(s);
      } catch (err) {
        if (err instanceof DemoStepFailed || stop.signal.aborted) throw err;
        throw new DemoStepFailed(step.title, (err as Error).message);
      }
    }
    if (stop.signal.aborted) {
      ctx.io.stderr.write(`pitcrew demo: stopped by ${String(stop.signal.reason)} before the story was told\n`);
      return ExitCode.failed;
    }
    say('');
    say(`Every step behaved as narrated, in ${((now() - started) / 1000).toFixed(1)} s.`);
    say(`Look around: pitcrew --config ${ws.configPath} status ${ENVIRONMENT}   (also: releases ${ENVIRONMENT}, report)`);
    if (!opts.exit) {
      say(`The server keeps running for the dashboard at ${fleet.url}/ ; Ctrl-C stops everything.`);
      await stopped;
    }
    return ExitCode.ok;
  } catch (err) {
    if (stop.signal.aborted) {
      ctx.io.stderr.write(`pitcrew demo: stopped by ${String(stop.signal.reason)} before the story was told\n`);
      return ExitCode.failed;
    }
    if (!isPitcrewError(err) || err.exitCode !== ExitCode.failed) throw err;
    ctx.io.stderr.write(`pitcrew demo: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return ExitCode.failed;
  } finally {
    finished.abort();
    if (fleet) await fleet.down();
    else await children.stopAll();
    await store.close();
  }
}
