/**
 * What `pitcrew hook ...` knows about the job it runs in: the GITHUB_*
 * variables the runner sets for job hooks, and a few fields of the event file
 * as fallbacks. The event file is read defensively: at most 1 MiB, and a
 * missing, huge or malformed file only means fewer fields, never an error.
 */
import { open } from 'node:fs/promises';
import type { Env } from '../cli/io.js';
import type { HookReport } from './http.js';

export const MAX_EVENT_FILE_BYTES = 1024 * 1024;

export interface EventFacts {
  repository?: string;
  actor?: string;
}

/** Reads at most `maxBytes` of the event file; undefined when absent, larger, or not a JSON object. */
export async function readEventFile(path: string, maxBytes = MAX_EVENT_FILE_BYTES): Promise<EventFacts | undefined> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(maxBytes + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > maxBytes) return undefined;
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const ev = raw as { repository?: { full_name?: unknown }; sender?: { login?: unknown } };
  const out: EventFacts = {};
  if (typeof ev.repository?.full_name === 'string') out.repository = ev.repository.full_name;
  if (typeof ev.sender?.login === 'string') out.actor = ev.sender.login;
  return out;
}

/** The job report from the hook's environment, the event file filling what the variables lack. */
export async function jobFromEnv(env: Env, environment?: string): Promise<HookReport> {
  const event = env.GITHUB_EVENT_PATH ? await readEventFile(env.GITHUB_EVENT_PATH) : undefined;
  const report: HookReport = {};
  const set = (key: keyof HookReport, value: string | undefined) => {
    if (value) report[key] = value;
  };
  set('name', env.GITHUB_JOB);
  set('runId', env.GITHUB_RUN_ID);
  set('runAttempt', env.GITHUB_RUN_ATTEMPT);
  set('workflow', env.GITHUB_WORKFLOW);
  set('repository', env.GITHUB_REPOSITORY ?? event?.repository);
  set('actor', env.GITHUB_ACTOR ?? event?.actor);
  set('environment', environment);
  return report;
}
