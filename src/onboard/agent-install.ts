/**
 * `pitcrew agent install`: puts the agent beside one runner. It writes the
 * systemd unit, the root-only token file (only when absent), the job hook
 * scripts, and the hook keys in the runner's `.env`; then returns the
 * commands a human runs to start it. It must never run those commands,
 * overwrite a token, run the agent as root or as the runner's own user, or
 * lose a line of the runner's `.env`.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { accessCommands } from './access.js';
import { applyPlan, readExisting, type FileChange, type PlannedFile } from './file-plan.js';
import { AGENT_URL_KEY, hookPath, hookScript } from './hook-scripts.js';
import { checkListen, checkName, checkPath, checkUnit, checkUrl, checkUser } from './names.js';
import { readPasswd } from './passwd.js';
import { setEnvKeys } from './runner-env.js';
import { agentEnvFile, agentUnit, envFilePath, unitName, unitPath, type AgentUnitOptions } from './systemd-unit.js';

export interface AgentInstallOptions {
  runner: string;
  server: string;
  runnerDir: string;
  user: string;
  root: string;
  listen: string;
  service?: string;
  pitcrewBin: string;
  /** Refuse jobs on a runner the agent reports degraded, offline or not authorized (`pitcrew hook job-started --guard`). */
  guard?: boolean;
}

export interface AgentInstallResult {
  changes: FileChange[];
  /** Commands to run as root, in order, to enable the agent. */
  commands: string[];
  unit: string;
}

export const INSTALL_DEFAULTS = {
  runnerDir: '/home/runner/actions-runner',
  user: 'pitcrew-agent',
  root: '/',
  listen: '127.0.0.1:9101',
  pitcrewBin: '/usr/local/bin/pitcrew',
} as const;

function checked(o: AgentInstallOptions): AgentInstallOptions {
  return {
    runner: checkName('runner name', o.runner),
    server: checkUrl('--server', o.server),
    runnerDir: checkPath('--runner-dir', o.runnerDir),
    user: checkUser(o.user),
    root: o.root,
    listen: checkListen(o.listen),
    service: o.service === undefined ? undefined : checkUnit(o.service),
    pitcrewBin: checkPath('--pitcrew', o.pitcrewBin),
    guard: o.guard === true,
  };
}

/** Who owns the runner's folder: the agent must not be that user. */
async function runnerOwner(root: string, runnerDir: string): Promise<{ uid: number; gid: number }> {
  try {
    const st = await stat(join(root, runnerDir));
    if (!st.isDirectory()) throw new UsageError(`${join(root, runnerDir)} is not a folder`, { hint: 'pass the runner\'s folder (where its config.sh and .env are) with --runner-dir' });
    return { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new UsageError(`runner folder ${join(root, runnerDir)} does not exist`, {
      code: 'onboard.runner-dir-missing',
      hint: 'pass the runner\'s folder (where its config.sh and .env are) with --runner-dir',
    });
  }
}

export async function installAgent(input: AgentInstallOptions): Promise<AgentInstallResult> {
  const o = checked(input);
  const at = (p: string): string => join(o.root, p);
  const owner = await runnerOwner(o.root, o.runnerDir);
  const users = await readPasswd(at('/etc/passwd'));
  const runnerUser = users.find((u) => u.uid === owner.uid)?.name;
  const agentUser = users.find((u) => u.name === o.user);
  if (o.user === runnerUser || agentUser?.uid === owner.uid || agentUser?.uid === 0) {
    throw new UsageError(`--user ${o.user} owns the runner folder ${o.runnerDir} or is root; the agent must run as its own unprivileged user`, {
      code: 'onboard.agent-user-unsafe',
      hint: `use a dedicated system user, e.g. --user ${INSTALL_DEFAULTS.user}`,
    });
  }

  const unitOptions: AgentUnitOptions = { ...o };
  const runnerEnvPath = at(`${o.runnerDir}/.env`);
  const existingEnv = await readExisting(runnerEnvPath);
  const edit = setEnvKeys(existingEnv?.content ?? '', [
    ['ACTIONS_RUNNER_HOOK_JOB_STARTED', hookPath('job-started')],
    ['ACTIONS_RUNNER_HOOK_JOB_COMPLETED', hookPath('job-completed')],
    [AGENT_URL_KEY, `http://${o.listen}`],
  ]);
  const files: PlannedFile[] = [
    { path: at(unitPath(o.runner)), content: agentUnit(unitOptions), mode: 0o644, policy: 'replace' },
    { path: at(envFilePath(o.runner)), content: agentEnvFile(o.runner), mode: 0o600, policy: 'keep' },
    { path: at(hookPath('job-started')), content: hookScript('job-started', o.pitcrewBin, o.guard), mode: 0o755, policy: 'replace' },
    { path: at(hookPath('job-completed')), content: hookScript('job-completed', o.pitcrewBin), mode: 0o755, policy: 'replace' },
    { path: runnerEnvPath, content: edit.content, mode: existingEnv?.mode ?? 0o644, policy: 'replace', owner: existingEnv?.owner ?? owner },
  ];
  const changes = await applyPlan(files);
  const access = await accessCommands(o.root, o.runnerDir, o.user);
  return { changes, commands: enableCommands(o, agentUser !== undefined, access), unit: unitName(o.runner) };
}

function enableCommands(o: AgentInstallOptions, userExists: boolean, access: string[]): string[] {
  const commands: string[] = [];
  if (!userExists) commands.push(`useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${o.user}`);
  // The agent reads the runner's work and diag folders; grant only that.
  commands.push(...access);
  commands.push('systemctl daemon-reload', `systemctl enable --now ${unitName(o.runner)}`);
  // The runner reads .env only when it starts.
  commands.push(o.service === undefined ? `cd ${o.runnerDir} && ./svc.sh stop && ./svc.sh start` : `systemctl restart ${o.service}`);
  return commands;
}
