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
 * status. Bytes that arrive outside a frame are dropped, never run. A stage
 * request may be followed by an upload (ssh-upload.ts), which the stage
 * script reads itself; a request whose upload may be left unread in part
 * closes the shell.
 *
 * Must never carry a user command whose output it streams: a daemon it
 * starts could keep writing into the shell's streams. Steps (install,
 * restart) get channels of their own; checks run here with their output in
 * files (ssh-exec.ts). Must never send a value inside script text: the
 * arguments travel as single-quoted words of a `set --` line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import type { ClientChannel } from 'ssh2';
import { TargetError } from '../errors.js';
import type { ScriptOutcome } from './scripted-session.js';
import type { SshConnection } from './ssh-connection.js';
import { SshUnreachableError } from './ssh-errors.js';
import { CHECK_FUNCTION } from './ssh-exec.js';
import { createLimiter, type Limiter } from './ssh-pool.js';
import { functionName, scriptLibrary, shellQuote, type ScriptName } from './target-script.js';
import { changedProblem, UPLOAD_SLICE, type Upload, type UploadProblem } from './ssh-upload.js';

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

/** One call in a request: a script of the library, a check, or the removal of files, with its arguments. */
export interface ShellCall {
  fn: ScriptName | 'check' | 'forget';
  args: string[];
}

// Removes the files named (the checks' pid and output files) when the shell closes.
const FORGET = `pitcrew_forget() { rm -f "$@"; }
`;

function callLine(call: ShellCall): string {
  const fn = call.fn === 'check' || call.fn === 'forget' ? `pitcrew_${call.fn}` : functionName(call.fn);
  return `set -- ${call.args.map(shellQuote).join(' ')}\n${fn} "$@"\n`;
}

/**
 * Hands one slice of an upload to ssh2, then waits for the next turn of the
 * event loop, or for the channel to drain when ssh2 holds more than it wants
 * (it stops waiting when the channel closes or the request was answered).
 */
async function writeSlice(channel: ClientChannel, slice: Buffer, replied: Promise<unknown>): Promise<void> {
  if (channel.write(slice)) {
    await setImmediate();
    return;
  }
  await new Promise<void>((resolve) => {
    const go = (): void => {
      channel.removeListener('drain', go);
      channel.removeListener('close', go);
      resolve();
    };
    channel.once('drain', go);
    channel.once('close', go);
    replied.then(go, go);
  });
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
   * `upload`, its bytes and then a line with the artifact's sha256 follow the
   * request on stdin, for a stage call to read; the line is sent only after
   * bytes found to have that digest (or the tar unpacked from such bytes, see
   * ssh-upload.ts). When the request fails the shell is closed, so
   * nothing unread can reach the next request. `onSent` is called once the
   * request has left, after any request queued before it.
   */
  run(calls: ShellCall[], upload?: Upload, onSent?: () => void): Promise<ScriptOutcome> {
    return this.one(async () => {
      const channel = await this.open();
      const done = new Promise<ScriptOutcome>((resolve, reject) => {
        this.pending = { stdout: '', stderr: '', errDone: false, resolve, reject };
      });
      const open = upload === undefined ? 'begin' : 'input';
      // Files to forget go first: their removal's status is not the request's.
      const forget: ShellCall[] = this.leftovers.size === 0 ? [] : [{ fn: 'forget', args: [...this.leftovers] }];
      this.leftovers.clear();
      const request = `${this.nonce} ${open}\n${[...forget, ...calls].map(callLine).join('')}${this.nonce} end\n`;
      channel.write(request);
      onSent?.();
      const sent = upload === undefined ? 'sent' : await this.send(channel, upload, done);
      if (typeof sent === 'object') {
        // No digest line follows: the stage on the target fails too, whatever it read.
        await this.abandon();
        await done.catch(() => undefined);
        throw new TargetError(this.conn.target.target, sent.problem, { code: sent.code });
      }
      const out = await done;
      // An upload the script did not read to the end would be read as the next request's text (and dropped): start afresh.
      if (upload !== undefined && (out.exitCode !== 0 || sent === 'stopped')) await this.abandon();
      return out;
    });
  }

  /**
   * Writes the upload after the request, a slice per turn of the event loop
   * (see UPLOAD_SLICE), then the digest line. Held bytes were checked (and
   * perhaps unpacked) when read; a file is hashed as it is streamed. Stops early (`stopped`) when
   * the target has answered (a failure, which its answer tells) or the shell
   * ended. Returns why the digest line was not sent, or `sent` once it was.
   */
  private async send(channel: ClientChannel, upload: Upload, replied: Promise<unknown>): Promise<'sent' | 'stopped' | UploadProblem> {
    let stop = false;
    const halt = (): void => {
      stop = true;
    };
    channel.once('close', halt);
    replied.then(halt, halt);
    try {
      if (upload.kind === 'bytes') {
        for (let at = 0; at < upload.data.length; at += UPLOAD_SLICE) {
          if (stop || this.ended) return 'stopped';
          await writeSlice(channel, upload.data.subarray(at, at + UPLOAD_SLICE), replied);
        }
      } else {
        const hash = createHash('sha256');
        let sent = 0;
        let more = false;
        try {
          for await (const chunk of createReadStream(upload.file, { highWaterMark: UPLOAD_SLICE })) {
            if (stop || this.ended) return 'stopped';
            let buf = chunk as Buffer;
            if (sent + buf.length > upload.bytes) {
              // The file grew since its size was taken: send what the request announced, and no digest line.
              buf = buf.subarray(0, upload.bytes - sent);
              more = true;
            }
            hash.update(buf);
            sent += buf.length;
            await writeSlice(channel, buf, replied);
            if (more) break;
          }
        } catch (err) {
          return { problem: `cannot read the artifact ${upload.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, code: 'target.io' };
        }
        const got = hash.digest('hex');
        if (more || sent !== upload.bytes || got !== upload.sha256) {
          return changedProblem(upload.file, got, upload.sha256, ` over ${more ? `more than ${upload.bytes}` : sent} bytes (${upload.bytes} when staging began)`);
        }
      }
    } finally {
      channel.removeListener('close', halt);
    }
    channel.write(`${upload.sha256}\n`);
    return 'sent';
  }

  /** Starts opening the shell's channel now, so the first request does not wait for it. */
  warm(): void {
    this.open().catch(() => undefined);
  }

  private open(): Promise<ClientChannel> {
    if (this.ended) return Promise.reject(new SshUnreachableError(this.conn.target, 'closed', 'the target shell has closed'));
    this.channel ??= new Promise<ClientChannel>((resolve, reject) => {
      const command = `exec sh -c ${shellQuote(`${scriptLibrary()}${CHECK_FUNCTION}${FORGET}${LOOP}`)} pitcrew-shell ${this.nonce}`;
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

  /**
   * Files on the target to remove (a finished check's): the next request
   * removes them before its own calls, in the same subshell, so they cost no
   * request of their own unless the shell closes first.
   */
  forget(...paths: string[]): void {
    for (const p of paths) this.leftovers.add(p);
  }

  /** Removes the files still to forget, ends the shell (EOF on its stdin) and waits for its channel to close. */
  async close(): Promise<void> {
    if (this.channel === undefined || this.ended) {
      this.ended = true;
      return;
    }
    // A request with no calls of its own carries the removal.
    if (this.leftovers.size > 0) await this.run([]).catch(() => undefined);
    await this.end();
  }

  /** Ends the shell: EOF on its stdin, then waits for its channel to close. */
  private async end(): Promise<void> {
    await this.finish((channel) => channel.end());
  }

  /**
   * Closes the shell's channel at once, dropping what is still queued for it:
   * after a failed upload, what the target did not read is of no use, and with
   * EOF it would have to read it all first.
   */
  private async abandon(): Promise<void> {
    await this.finish((channel) => channel.close());
  }

  private async finish(how: (channel: ClientChannel) => void): Promise<void> {
    if (this.channel === undefined || this.ended) {
      this.ended = true;
      return;
    }
    const channel = await this.channel.catch(() => undefined);
    if (channel === undefined) return;
    const closed = once(channel, 'close').catch(() => undefined);
    how(channel);
    this.release?.();
    await closed;
  }
}
