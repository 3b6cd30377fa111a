/**
 * One long-lived `sh` per ssh connection that runs pitcrew's own target
 * scripts one after another, so a deploy pays for one remote session and one
 * shell per target instead of a new channel, session and login shell per
 * script. The shell gets every script as a function when it starts (parsed
 * once, from its command line) and then reads requests, each a few short
 * lines of calls: `sh` reads its input a byte per system call, so a request
 * must stay small. Requests are framed by lines holding a random 128-bit
 * nonce: the shell runs only text between `<nonce> begin` and `<nonce> end`,
 * each in a subshell of its own (`exit`, `set`, `cd`, traps and fds stay
 * inside it), and ends its reply on both streams with the nonce and the exit
 * status. Bytes that arrive outside a frame are dropped, never run.
 *
 * Must never carry a user command whose output it streams: a daemon it
 * starts could keep writing into the shell's streams. Steps (install,
 * restart) get channels of their own; checks run here with their output in
 * files (ssh-exec.ts). Must never send a value inside script text: the
 * arguments travel as single-quoted words of a `set --` line.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { ClientChannel } from 'ssh2';
import type { ScriptOutcome } from './scripted-session.js';
import type { SshConnection } from './ssh-connection.js';
import { SshUnreachableError } from './ssh-errors.js';
import { CHECK_FUNCTION } from './ssh-exec.js';
import { createLimiter, type Limiter } from './ssh-pool.js';
import { functionName, scriptLibrary, shellQuote, type ScriptName } from './target-script.js';

// $1 target root, $2 upload name, $3 its size in bytes. Reads exactly $3
// bytes of stdin into <root>/.pitcrew/<name> (or drops them when that cannot
// be written) and removes the upload when the request's subshell ends,
// whatever happened; the stage call that follows it names that path.
const RECEIVE = `pitcrew_receive() {
up="$1/.pitcrew/$2"
trap 'rm -f "$up"' EXIT
umask 077
if [ -d "$1" ] && { [ -d "$1/.pitcrew" ] || mkdir -p "$1/.pitcrew"; } && : > "$up"; then
  head -c "$3" > "$up" || { printf 'pitcrew-error io cannot write the upload %s\\n' "$up" >&2; exit 3; }
else
  head -c "$3" > /dev/null
  [ -d "$1" ] && { printf 'pitcrew-error io cannot write the upload %s\\n' "$up" >&2; exit 3; }
fi
}
`;

// $1 the nonce. Reads frames from stdin and runs each one's calls in a
// subshell; only a frame opened with `input` may read stdin (an upload), the
// others get /dev/null. Answers on stdout with `\n<nonce> <status>\n` and on
// stderr with `\n<nonce>\n`. Ends at EOF.
const LOOP = `set -u
n=$1
while :; do
  i= g=
  while IFS= read -r l; do
    case $l in "$n begin") g=1; break;; "$n input") g=1 i=1; break;; esac
  done
  [ -n "$g" ] || exit 0
  s= e=
  while IFS= read -r l; do
    [ "$l" = "$n end" ] && { e=1; break; }
    s="$s$l
"
  done
  [ -n "$e" ] || exit 0
  if [ -n "$i" ]; then ( eval "$s" ); else ( eval "$s" ) < /dev/null; fi
  printf '\\n%s %s\\n' "$n" "$?"
  printf '\\n%s\\n' "$n" >&2
done`;

/** One call in a request: a script of the library, or the upload receiver, with its arguments. */
export interface ShellCall {
  fn: ScriptName | 'receive' | 'check' | 'forget';
  args: string[];
}

// Removes the files named (the checks' pid and output files) when the shell closes.
const FORGET = `pitcrew_forget() { rm -f "$@"; }
`;

function callLine(call: ShellCall): string {
  const fn = call.fn === 'receive' || call.fn === 'check' || call.fn === 'forget' ? `pitcrew_${call.fn}` : functionName(call.fn);
  return `set -- ${call.args.map(shellQuote).join(' ')}\n${fn} "$@"\n`;
}

/** Bytes to stream into the request's stdin right after it (an upload). */
export interface ShellInput {
  file: string;
  bytes: number;
}

interface Pending {
  stdout: string;
  stderr: string;
  status?: number;
  errDone: boolean;
  resolve: (out: ScriptOutcome) => void;
  reject: (err: Error) => void;
}

export class ScriptShell {
  /** Names this shell's files on the target (not secret, unlike the nonce). */
  readonly id = randomBytes(6).toString('hex');
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly leftovers = new Set<string>();
  private readonly one: Limiter = createLimiter(1);
  private channel?: Promise<ClientChannel>;
  private pending?: Pending;
  private ended = false;
  private release?: () => void;

  constructor(private readonly conn: SshConnection) {}

  /** True once the shell's channel closed; a new ScriptShell is needed then. */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Runs `calls` in one subshell and returns its exit status and output. With
   * `input`, the file's bytes follow the request on stdin: a `receive` call
   * must read exactly `input.bytes` of them; when the request fails the shell
   * is closed, so nothing unread can reach the next request. `onSent` is
   * called once the request has left, after any request queued before it.
   */
  run(calls: ShellCall[], input?: ShellInput, onSent?: () => void): Promise<ScriptOutcome> {
    return this.one(async () => {
      const channel = await this.open();
      const done = new Promise<ScriptOutcome>((resolve, reject) => {
        this.pending = { stdout: '', stderr: '', errDone: false, resolve, reject };
      });
      const open = input === undefined ? 'begin' : 'input';
      const request = `${this.nonce} ${open}\n${calls.map(callLine).join('')}${this.nonce} end\n`;
      channel.write(request);
      onSent?.();
      if (input !== undefined) await this.send(channel, input);
      const out = await done;
      // An upload the script did not read to the end would be read as the next request's text (and dropped): start afresh.
      if (input !== undefined && out.exitCode !== 0) await this.end();
      return out;
    });
  }

  private async send(channel: ClientChannel, input: ShellInput): Promise<void> {
    let sent = 0;
    let gone = false;
    const onClose = (): void => {
      gone = true;
    };
    channel.once('close', onClose);
    try {
      for await (const chunk of createReadStream(input.file)) {
        // The host or the connection went away: the reply (or the loss) tells the caller; write nothing more.
        if (gone || this.ended) return;
        const buf = chunk as Buffer;
        sent += buf.length;
        if (!channel.write(buf)) await Promise.race([once(channel, 'drain'), once(channel, 'close')]);
      }
    } finally {
      channel.removeListener('close', onClose);
    }
    if (sent !== input.bytes) {
      // The file changed under us: the script waits for bytes that will never come.
      await this.end();
    }
  }

  /** Starts opening the shell's channel now, so the first request does not wait for it. */
  warm(): void {
    this.open().catch(() => undefined);
  }

  private open(): Promise<ClientChannel> {
    if (this.ended) return Promise.reject(new SshUnreachableError(this.conn.target, 'closed', 'the target shell has closed'));
    this.channel ??= new Promise<ClientChannel>((resolve, reject) => {
      const command = `exec sh -c ${shellQuote(`${scriptLibrary()}${RECEIVE}${CHECK_FUNCTION}${FORGET}${LOOP}`)} pitcrew-shell ${this.nonce}`;
      // The shell holds one of the connection's channel slots until it ends.
      this.conn.withChannel(command, (channel) => {
        this.listen(channel);
        resolve(channel);
        return new Promise<void>((finished) => {
          this.release = finished;
          channel.once('close', () => finished());
        });
      }).catch(reject).finally(() => this.onClose());
    });
    return this.channel;
  }

  private listen(channel: ClientChannel): void {
    const endOut = new RegExp(`\\n${this.nonce} (\\d+)\\n$`);
    const endErr = `\n${this.nonce}\n`;
    channel.setEncoding('utf8').on('data', (chunk: string) => {
      const p = this.pending;
      if (p === undefined) return;
      p.stdout += chunk;
      const m = endOut.exec(p.stdout);
      if (m !== null) {
        p.status = Number(m[1]);
        p.stdout = p.stdout.slice(0, m.index);
      }
      this.settle();
    });
    channel.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const p = this.pending;
      if (p === undefined) return;
      p.stderr += chunk;
      if (p.stderr.endsWith(endErr)) {
        p.errDone = true;
        p.stderr = p.stderr.slice(0, -endErr.length);
      }
      this.settle();
    });
  }

  private settle(): void {
    const p = this.pending;
    if (p === undefined || p.status === undefined || !p.errDone) return;
    this.pending = undefined;
    p.resolve({ exitCode: p.status, stdout: p.stdout, stderr: p.stderr });
  }

  private onClose(): void {
    this.ended = true;
    const p = this.pending;
    this.pending = undefined;
    if (p === undefined) return;
    if (this.conn.closed) {
      p.reject(new SshUnreachableError(this.conn.target, 'closed', 'the ssh connection was lost while a target script ran; its outcome on the host is unknown'));
    } else {
      p.resolve({ exitCode: null, stdout: p.stdout, stderr: `${p.stderr}\nthe target shell ended while the script ran` });
    }
  }

  /** Files on the target to remove when the shell closes. */
  removeOnClose(...paths: string[]): void {
    for (const p of paths) this.leftovers.add(p);
  }

  /** Removes the files named by removeOnClose, ends the shell (EOF on its stdin) and waits for its channel to close. */
  async close(): Promise<void> {
    if (this.channel === undefined || this.ended) {
      this.ended = true;
      return;
    }
    if (this.leftovers.size > 0) {
      const paths = [...this.leftovers];
      this.leftovers.clear();
      await this.run([{ fn: 'forget', args: paths }]).catch(() => undefined);
    }
    await this.end();
  }

  /** Ends the shell: EOF on its stdin, then waits for its channel to close. */
  private async end(): Promise<void> {
    if (this.channel === undefined || this.ended) {
      this.ended = true;
      return;
    }
    const channel = await this.channel.catch(() => undefined);
    if (channel === undefined) return;
    const closed = once(channel, 'close').catch(() => undefined);
    channel.end();
    this.release?.();
    await closed;
  }
}
