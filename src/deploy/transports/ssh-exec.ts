/**
 * Runs user commands (install, restart, checks) over an ssh connection, each
 * in a channel and a session of its own on the target, killed as a process
 * group on timeout through a second channel. pitcrew's own scripts go through
 * the connection's script shell (ssh-shell.ts) instead. Must never let a
 * value change what a command does: every value is a quoted word, never text
 * in a script.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { UsageError } from '../../errors.js';
import { recordedExit, type SshConnection } from './ssh-connection.js';
import { SshUnreachableError } from './ssh-errors.js';
import type { ScriptOutcome } from './scripted-session.js';
import type { ScriptShell } from './ssh-shell.js';
import { shellQuote } from './target-script.js';
import { OUTPUT_TAIL_BYTES, type RunResult } from './transport.js';

/** The command line that runs `text` with `args` as $1.. under the remote user's login shell. */
export function scriptCommand(text: string, args: string[]): string {
  return `exec sh -c ${shellQuote(text)} pitcrew-target ${args.map(shellQuote).join(' ')}`.trimEnd();
}

/** `NAME=value` words for RUN to export: the variables travel as arguments, so no `env` process is needed. */
function exports(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UsageError(`environment variable name ${JSON.stringify(k)} is not valid in a shell`);
    return `${k}=${v}`;
  });
}

/** A channel that ends without an exit status because the connection dropped is a lost connection, not a failed command. */
function checkLost(conn: SshConnection, exit: Exit): void {
  if (exit.code === null && exit.signal === null && conn.closed) {
    throw new SshUnreachableError(conn.target, 'closed', 'the ssh connection was lost while a command ran; its outcome on the host is unknown');
  }
}

interface Exit {
  code: number | null;
  signal: string | null;
}

/** Resolves once the channel reported its exit and closed (or `drainMs` after the exit, if given). */
function exitOf(channel: ClientChannel, drainMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const early = recordedExit(channel);
    let exit: Exit = early ?? { code: null, signal: null };
    let drain: NodeJS.Timeout | undefined;
    if (early !== undefined && drainMs !== undefined) drain = setTimeout(() => resolve(exit), drainMs);
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
      if (drainMs !== undefined) drain = setTimeout(() => resolve(exit), drainMs);
    });
    channel.on('close', () => {
      if (drain !== undefined) clearTimeout(drain);
      resolve(recordedExit(channel) ?? exit);
    });
  });
}

// $1 target root, $2 `current` or a release id, $3 pid file, $4 command,
// then NAME=value words to export. Resolves the release the command runs in
// and says it on the first line of stdout (`pitcrew-release ID`) before
// anything of the command's; a folder that cannot be resolved ends with exit
// 3 and no such line. Builtins (cd -P, test -ef) resolve `current` without a
// process. Then it cds there and sets the exports; only names no user
// variable would take are read after them.
const RESOLVE = `root=$1 where=$2 pidf=$3 cmd=$4; shift 4
if [ "$where" = current ]; then
  d="$root/current" r=
  if cd -P "$d" 2>/dev/null; then r=\${PWD##*/}; [ "$d" -ef "$root/releases/$r" ] || r=; fi
  if [ -z "$r" ]; then
    r=$(readlink "$d" 2>/dev/null) || { echo "$d does not point at a release yet" >&2; exit 3; }
    r=\${r#releases/}
  fi
else
  r=$where d="$root/releases/$where"
fi
h='[0-9a-f]'
case $r in [A-Za-z0-9]*-$h$h$h$h$h$h$h$h$h$h$h$h) ;; *) echo "$root/current points at $r, not at a release" >&2; exit 3;; esac
case $r in */*|*[!A-Za-z0-9._+~-]*) echo "$root/current points at $r, not at a release" >&2; exit 3;; esac
[ -d "$root/releases/$r" ] || { echo "$root/releases/$r does not exist" >&2; exit 3; }
printf 'pitcrew-release %s\\n' "$r"
cd "$d" || exit 1
[ -d "\${pidf%/*}" ] || mkdir -p "\${pidf%/*}" || exit 1
_pitcrew_pid=$pidf _pitcrew_cmd=$cmd
for a in "$@"; do export "$a"; done
export PITCREW_RELEASE="$r"`;

// The command leads a new session (setsid), so its process group holds
// everything it starts; that shell writes its pid where KILL finds it and
// runs the command itself (eval, not a further sh: one process less).
const LAUNCH = `setsid sh -c 'echo $$ > "$1" || exit 1; _pitcrew_c=$2; set --; eval "$_pitcrew_c"' pitcrew-run "$_pitcrew_pid" "$_pitcrew_cmd" < /dev/null`;

// A command in a channel of its own, its output streamed; a death by signal
// is passed on, so the exit status reads like a local run.
const RUN = `set -u
${RESOLVE}
${LAUNCH} &
wait $! 2>/dev/null; s=$?
rm -f "$_pitcrew_pid"
if [ $s -gt 128 ]; then sig=$(kill -l $s 2>/dev/null) && { trap - "$sig"; kill -s "$sig" $$; }; fi
exit $s`;

/**
 * A check in the target's script shell (a function of its library, same
 * arguments as RUN): its output goes to files beside the pid file and the
 * last OUTPUT_TAIL_BYTES of each are printed when it ends, so nothing it
 * leaves running can write into the shell's streams or another check's
 * files. The files are removed by the shell's next request, or when it
 * closes (one process for all the checks before it, and no request of its
 * own). Its exit status is the request's (over 128: killed by
 * signal status - 128).
 */
export const CHECK_FUNCTION = `pitcrew_check() {
${RESOLVE}
_pitcrew_out=\${_pitcrew_pid%.pid}
${LAUNCH} > "$_pitcrew_out.out" 2> "$_pitcrew_out.err" &
wait $! 2>/dev/null; s=$?
[ -s "$_pitcrew_out.out" ] && tail -c ${OUTPUT_TAIL_BYTES} "$_pitcrew_out.out"
[ -s "$_pitcrew_out.err" ] && tail -c ${OUTPUT_TAIL_BYTES} "$_pitcrew_out.err" >&2
exit $s
}
`;

// $1 pid file, $2 grace in tenths of a second: TERM to the group, KILL after the grace.
const KILL = `set -u
i=0; while [ ! -s "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$1" ] || exit 0
g=$(cat "$1")
case $g in ''|*[!0-9]*) exit 0;; esac
kill -TERM "-$g" 2>/dev/null || exit 0
i=0; while kill -0 "-$g" 2>/dev/null && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "-$g" 2>/dev/null
exit 0`;

export interface RemoteCommand {
  command: string;
  /** Target root: the command runs in `<root>/current` or `<root>/releases/<id>`; the pid file lives under its `.pitcrew/run/`. */
  root: string;
  /** `current`, or the release id to run in. */
  where: string;
  env: Record<string, string>;
  timeoutMs?: number;
  killGraceMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

/** What a command run over ssh gave: its result, or why it never started (no release to run in). */
export type RemoteRun = { ran: true; release: string; result: RunResult } | { ran: false; exitCode: number | null; stderr: string };

const HEADER = /^pitcrew-release (\S+)\n/;

/** Runs a user command on the target as the leader of its own process group, in the release `where` names. */
/** After `spec.timeoutMs`, kills the command's process group through an urgent channel of its own. */
function killTimer(conn: SshConnection, spec: RemoteCommand, pidFile: string): { timedOut: () => boolean; stop: () => Promise<void> } {
  let timedOut = false;
  let killing: Promise<unknown> = Promise.resolve();
  const timer = spec.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    const tenths = String(Math.ceil((spec.killGraceMs ?? 2000) / 100));
    killing = conn.withChannel(scriptCommand(KILL, [pidFile, tenths]), async (ch) => {
      ch.resume();
      ch.stderr.resume();
      ch.end();
      await exitOf(ch);
    }, { urgent: true }).catch(() => undefined);
  }, spec.timeoutMs);
  return {
    timedOut: () => timedOut,
    stop: async () => {
      if (timer !== undefined) clearTimeout(timer);
      await killing;
    },
  };
}

/** Runs a user command on the target as the leader of its own process group, in the release `where` names. */
export async function runCommandOver(conn: SshConnection, spec: RemoteCommand): Promise<RemoteRun> {
  const pidFile = `${spec.root}/.pitcrew/run/${randomBytes(6).toString('hex')}.pid`;
  return conn.withChannel(scriptCommand(RUN, [spec.root, spec.where, pidFile, spec.command, ...exports(spec.env)]), async (channel) => {
    const tails = { stdout: '', stderr: '' };
    let release: string | undefined;
    let head = '';
    const keep = (name: 'stdout' | 'stderr', chunk: string): void => {
      tails[name] = (tails[name] + chunk).slice(-OUTPUT_TAIL_BYTES);
      spec.onOutput?.(name, chunk);
    };
    channel.setEncoding('utf8').on('data', (chunk: string) => {
      if (release !== undefined) return keep('stdout', chunk);
      // The first line is the script's, not the command's: hold stdout until it is complete.
      head += chunk;
      const m = HEADER.exec(head);
      if (m === null) {
        if (head.includes('\n') || head.length > 4096) {
          release = '';
          keep('stdout', head);
        }
        return;
      }
      release = m[1];
      const rest = head.slice(m[0].length);
      if (rest !== '') keep('stdout', rest);
    });
    channel.stderr.setEncoding('utf8').on('data', (chunk: string) => keep('stderr', chunk));
    channel.end();
    const kill = killTimer(conn, spec, pidFile);
    // A daemon left holding the output open must not hold the deploy: half a second after the exit, return.
    const exit = await exitOf(channel, 500);
    await kill.stop();
    checkLost(conn, exit);
    if (release === undefined || release === '') return { ran: false, exitCode: exit.code, stderr: tails.stderr };
    return { ran: true, release, result: { exitCode: exit.code, signal: exit.signal, timedOut: kill.timedOut(), stdoutTail: tails.stdout, stderrTail: tails.stderr } };
  });
}

/** Signal names as the channel path reports them (`SIGTERM`), by number. */
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * Runs a check in the target's script shell (CHECK_FUNCTION): no channel, no
 * session, no login shell of its own. Its output arrives when it ends; the
 * time limit counts from the moment the shell takes the request.
 */
export async function runCheckInShell(conn: SshConnection, shell: ScriptShell, spec: RemoteCommand): Promise<RemoteRun> {
  // A name per check (what one left running keeps writing to its own files, unlinked or not).
  const base = `${spec.root}/.pitcrew/run/check-${shell.id}-${randomBytes(4).toString('hex')}`;
  const pidFile = `${base}.pid`;
  let kill: ReturnType<typeof killTimer> | undefined;
  let out: ScriptOutcome;
  try {
    out = await shell.run([{ fn: 'check', args: [spec.root, spec.where, pidFile, spec.command, ...exports(spec.env)] }], undefined, () => {
      kill = killTimer(conn, spec, pidFile);
    });
  } finally {
    await kill?.stop();
    // Read by the kill channel until the check has ended and its killing is over; then of no use.
    shell.forget(pidFile, `${base}.out`, `${base}.err`);
  }
  const m = HEADER.exec(out.stdout);
  if (m === null) return { ran: false, exitCode: out.exitCode, stderr: out.stderr.slice(-OUTPUT_TAIL_BYTES) };
  const status = out.exitCode;
  const signal = status !== null && status > 128 ? SIGNAL_NAMES.get(status - 128) ?? null : null;
  return {
    ran: true,
    release: m[1],
    result: {
      exitCode: signal === null ? status : null, signal, timedOut: kill?.timedOut() ?? false,
      stdoutTail: out.stdout.slice(m[0].length), stderrTail: out.stderr,
    },
  };
}
