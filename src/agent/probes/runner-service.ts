/**
 * Is the GitHub Actions runner service running? Asks systemd (`systemctl show
 * -p ActiveState -p NRestarts UNIT`: the state `systemctl is-active` prints and
 * the restart count, in one process a probe) or, for runners started another
 * way, checks the process named by a pid file. The pid file is read again only
 * when it changed (changed-file.ts).
 * It only reads; it never starts, stops or signals the runner (signal 0 only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changedFileReader } from './changed-file.js';
import { execCommand, type Exec } from './exec.js';
import { ProbeName, errorCode, systemClock, type Clock, type ProbeResult } from './types.js';

export type RunnerServiceTarget = { systemdUnit: string } | { pidFile: string };

export interface RunnerServicePorts {
  exec: Exec;
  readFile: (path: string) => Promise<string>;
  /** `process.kill(pid, 0)`: throws ESRCH when there is no such process. */
  signalZero: (pid: number) => void;
  /** Root of the proc filesystem, `/proc`; checks are skipped when it does not exist. */
  procRoot: string;
  now: Clock;
  timeoutMs: number;
}

export const defaultRunnerServicePorts: RunnerServicePorts = {
  exec: execCommand,
  readFile: changedFileReader(),
  signalZero: (pid) => void process.kill(pid, 0),
  procRoot: '/proc',
  now: systemClock,
  timeoutMs: 2000,
};

/** States of `systemctl is-active` (the unit's ActiveState) in which the runner can take jobs. */
const RUNNING_STATES = new Set(['active', 'reloading']);

export async function probeRunnerService(target: RunnerServiceTarget, ports: Partial<RunnerServicePorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultRunnerServicePorts, ...ports };
  return 'systemdUnit' in target ? probeSystemdUnit(target.systemdUnit, p) : probePidFile(target.pidFile, p);
}

async function probeSystemdUnit(unit: string, p: RunnerServicePorts): Promise<ProbeResult> {
  const base = { probe: ProbeName.runnerService, facts: { unit } as Record<string, number | string> };
  let props: Map<string, string>;
  try {
    const res = await p.exec('systemctl', ['show', '-p', 'ActiveState', '-p', 'NRestarts', unit], { timeoutMs: p.timeoutMs });
    props = parseProperties(res.stdout);
  } catch (err) {
    const error = errorCode(err);
    return { ...base, ok: false, error, detail: `could not ask systemd about ${unit}: ${error}`, at: p.now() };
  }
  const state = props.get('ActiveState') || 'unknown';
  base.facts.state = state;
  const restartText = props.get('NRestarts') ?? '';
  // Systemd older than 235 has no NRestarts: no count then.
  const restarts = /^\d+$/.test(restartText) ? Number(restartText) : undefined;
  const restartNote = restarts === undefined ? '' : `, ${restarts} restart${restarts === 1 ? '' : 's'}`;
  const figures = restarts === undefined ? {} : { value: restarts, unit: 'restarts' };
  if (restarts !== undefined) base.facts.restarts = restarts;
  if (RUNNING_STATES.has(state)) {
    return { ...base, ...figures, ok: true, detail: `${unit} is ${state}${restartNote}`, at: p.now() };
  }
  return {
    ...base,
    ...figures,
    ok: false,
    detail: `${unit} is ${state}${restartNote}; see \`journalctl -u ${unit}\``,
    at: p.now(),
  };
}

/** `Key=value` lines of `systemctl show`. */
function parseProperties(stdout: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return props;
}

async function probePidFile(pidFile: string, p: RunnerServicePorts): Promise<ProbeResult> {
  const base = { probe: ProbeName.runnerService, facts: { pidFile } as Record<string, number | string> };
  let text: string;
  try {
    text = await p.readFile(pidFile);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') {
      return { ...base, ok: false, detail: `pid file ${pidFile} does not exist: the runner is not running`, at: p.now() };
    }
    return { ...base, ok: false, error: code, detail: `could not read pid file ${pidFile}: ${code}`, at: p.now() };
  }
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) <= 0) {
    return {
      ...base,
      ok: false,
      error: 'EBADPID',
      detail: `pid file ${pidFile} holds ${JSON.stringify(trimmed.slice(0, 40))}, not a process id`,
      at: p.now(),
    };
  }
  const pid = Number(trimmed);
  base.facts.pid = pid;
  const dead = processGone(pid, p);
  if (dead) {
    return { ...base, ok: false, detail: `stale pid file ${pidFile}: process ${pid} ${dead}`, at: p.now() };
  }
  return { ...base, ok: true, detail: `runner process ${pid} from ${pidFile} is alive`, at: p.now() };
}

/** Why the process is not alive, or undefined when it is. */
function processGone(pid: number, p: RunnerServicePorts): string | undefined {
  try {
    p.signalZero(pid);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else, which is alive.
    if (errorCode(err) !== 'EPERM') return 'is not running';
  }
  if (!existsSync(p.procRoot)) return undefined;
  const dir = join(p.procRoot, String(pid));
  if (!existsSync(dir)) return `has no ${dir}`;
  const state = procState(join(dir, 'stat'));
  return state === 'Z' || state === 'X' ? 'has exited (zombie)' : undefined;
}

/** The state letter from /proc/PID/stat (the field after the parenthesised name). */
function procState(statPath: string): string | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const close = stat.lastIndexOf(')');
    return close < 0 ? undefined : stat.slice(close + 2, close + 3);
  } catch {
    return undefined;
  }
}

