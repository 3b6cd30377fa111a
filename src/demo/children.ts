/**
 * The demo's child processes (stand-in runners, target apps): started with
 * their output kept for error messages, and all killed by `stopAll()`, which
 * the demo calls on every way out. A process 'exit' hook kills them too if
 * the demo never gets that far. Must never leave a child running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Child {
  readonly name: string;
  readonly pid: number;
  running(): boolean;
  /** The last lines the process wrote, for error messages. */
  tail(): string;
  /** Sends `signal` and waits (at most 5 s) for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export type SpawnPort = typeof spawn;

const KEEP = 8 * 1024;

export class Children {
  private readonly live = new Map<number, { child: ChildProcess; handle: Child }>();
  private readonly onExit = () => {
    for (const { child } of this.live.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  constructor(private readonly spawnFn: SpawnPort = spawn) {
    process.on('exit', this.onExit);
  }

  /** Starts `node script args`; fails at once when it cannot be spawned. */
  async start(name: string, command: string, args: string[], cwd: string): Promise<Child> {
    const child = this.spawnFn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-KEEP);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await Promise.race([
      once(child, 'spawn'),
      once(child, 'error').then(([e]) => Promise.reject(new Error(`cannot start ${name} (${command}): ${(e as Error).message}`))),
    ]);
    const running = () => child.exitCode === null && child.signalCode === null;
    const handle: Child = {
      name,
      pid: child.pid as number,
      running,
      tail: () => output.trimEnd().split('\n').slice(-10).join('\n'),
      kill: async (signal = 'SIGTERM') => {
        if (running()) child.kill(signal);
        const late = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
        await Promise.race([exited, late]);
        if (running()) {
          child.kill('SIGKILL');
          await exited;
        }
      },
    };
    this.live.set(handle.pid, { child, handle });
    void exited.then(() => this.live.delete(handle.pid));
    return handle;
  }

  /** The pids still running. */
  pids(): number[] {
    return [...this.live.values()].filter(({ handle }) => handle.running()).map(({ handle }) => handle.pid);
  }

  /** Kills every child still running and waits for each exit. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live.values()].map(({ handle }) => handle.kill('SIGTERM')));
    process.off('exit', this.onExit);
  }
}
