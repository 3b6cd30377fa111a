/**
 * Runs things over an ssh connection: target scripts (`sh -c TEXT` with
 * quoted positional arguments), uploads (a stream into `cat`), and user
 * commands in their own session on the target, killed as a process group on
 * timeout through a second channel. Must never let a value change what a
 * command does: every value is a quoted word, never text in a script.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ClientChannel } from 'ssh2';
import { UsageError } from '../../errors.js';
import type { ScriptOutcome } from './scripted-session.js';
import { recordedExit, type SshConnection } from './ssh-connection.js';
import { SshUnreachableError } from './ssh-errors.js';
import { shellQuote, type TargetScript } from './target-script.js';
import { OUTPUT_TAIL_BYTES, type RunResult } from './transport.js';

/** The command line that runs `text` with `args` as $1.. under the remote user's login shell. */
export function scriptCommand(text: string, args: string[], env: Record<string, string> = {}): string {
  const assignments = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UsageError(`environment variable name ${JSON.stringify(k)} is not valid in a shell`);
    return `${k}=${shellQuote(v)}`;
  });
  const envWords = assignments.length > 0 ? `env ${assignments.join(' ')} ` : '';
  return `exec ${envWords}sh -c ${shellQuote(text)} pitcrew-target ${args.map(shellQuote).join(' ')}`.trimEnd();
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

export async function runScriptOver(conn: SshConnection, script: TargetScript): Promise<ScriptOutcome> {
  return conn.withChannel(scriptCommand(script.text, script.args), async (channel) => {
    let stdout = '';
    let stderr = '';
    channel.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    channel.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    channel.end();
    const exit = await exitOf(channel);
    checkLost(conn, exit);
    return { exitCode: exit.code, stdout, stderr };
  });
}

// $1 target root, $2 upload name, $3 script text, then the script's arguments.
// Streams stdin into <root>/.pitcrew/<name>, runs the script (which reads the
// upload by the path it was given), and removes the upload whatever happened:
// upload, staging and cleanup in one channel.
const UPLOAD_THEN = `set -u
umask 077
[ -d "$1" ] || { printf 'pitcrew-error missing target folder %s does not exist\\n' "$1" >&2; exit 3; }
up="$1/.pitcrew/$2"
mkdir -p "$1/.pitcrew" && cat > "$up" || { rm -f "$up"; printf 'pitcrew-error io cannot write the upload %s\\n' "$up" >&2; exit 3; }
text=$3; shift 3
sh -c "$text" pitcrew-target "$@"; s=$?
rm -f "$up"
exit $s`;

/**
 * Streams a local file into `<root>/.pitcrew/<name>` on the target, then runs
 * `script` there (its arguments name that path), then removes the upload.
 */
export async function uploadThenRun(conn: SshConnection, file: string, root: string, name: string, script: TargetScript): Promise<ScriptOutcome> {
  return conn.withChannel(scriptCommand(UPLOAD_THEN, [root, name, script.text, ...script.args]), async (channel) => {
    let stdout = '';
    let stderr = '';
    channel.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    channel.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = exitOf(channel);
    await pipeline(createReadStream(file), channel, { end: true }).catch((err: Error) => {
      stderr += `\ncannot send ${file}: ${err.message}`;
    });
    const exit = await exited;
    checkLost(conn, exit);
    return { exitCode: exit.code, stdout, stderr };
  });
}

// $1 target root, $2 `current` or a release id, $3 pid file, $4 command.
// Resolves the release the command runs in and says it on the first line of
// stdout (`pitcrew-release ID`) before anything of the command's; a folder
// that cannot be resolved ends with exit 3 and no such line. The command
// leads a new session (setsid), so its process group holds everything it
// starts; a death by signal is passed on, so the exit status reads like a
// local run. One channel per command: resolving costs no extra round trip.
const RUN = `set -u
if [ "$2" = current ]; then
  r=$(readlink "$1/current" 2>/dev/null) || { echo "$1/current does not point at a release yet" >&2; exit 3; }
  r=\${r#releases/} d="$1/current"
else
  r=$2 d="$1/releases/$2"
fi
h='[0-9a-f]'
case $r in [A-Za-z0-9]*-$h$h$h$h$h$h$h$h$h$h$h$h) ;; *) echo "$1/current points at $r, not at a release" >&2; exit 3;; esac
case $r in */*|*[!A-Za-z0-9._+~-]*) echo "$1/current points at $r, not at a release" >&2; exit 3;; esac
[ -d "$1/releases/$r" ] || { echo "$1/releases/$r does not exist" >&2; exit 3; }
printf 'pitcrew-release %s\\n' "$r"
export PITCREW_RELEASE="$r"
cd "$d" || exit 1
mkdir -p "\${3%/*}" || exit 1
setsid sh -c 'echo $$ > "$1" && exec sh -c "$2"' pitcrew-run "$3" "$4" < /dev/null &
wait $! 2>/dev/null; s=$?
rm -f "$3"
if [ $s -gt 128 ]; then sig=$(kill -l $s 2>/dev/null) && { trap - "$sig"; kill -s "$sig" $$; }; fi
exit $s`;

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
export async function runCommandOver(conn: SshConnection, spec: RemoteCommand): Promise<RemoteRun> {
  const pidFile = `${spec.root}/.pitcrew/run/${randomBytes(6).toString('hex')}.pid`;
  return conn.withChannel(scriptCommand(RUN, [spec.root, spec.where, pidFile, spec.command], spec.env), async (channel) => {
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
    // A daemon left holding the output open must not hold the deploy: half a second after the exit, return.
    const exit = await exitOf(channel, 500);
    if (timer !== undefined) clearTimeout(timer);
    await killing;
    checkLost(conn, exit);
    if (release === undefined || release === '') return { ran: false, exitCode: exit.code, stderr: tails.stderr };
    return { ran: true, release, result: { exitCode: exit.code, signal: exit.signal, timedOut, stdoutTail: tails.stdout, stderrTail: tails.stderr } };
  });
}
