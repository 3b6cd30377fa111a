/**
 * `pitcrew demo [--dir DIR] [--exit] [--port N]`: pitcrew's whole story on
 * this machine (src/demo). Exit 0 when every step behaved as narrated, 1
 * naming the step that did not, 2 for a bad flag or a --dir that is not a
 * demo workspace. Never touches anything outside DIR and 127.0.0.1.
 */
import type { Command } from 'commander';
import { runDemo, DEFAULT_DEMO_DIR } from '../../demo/demo.js';
import { UsageError } from '../../errors.js';
import type { CommandRunner } from '../program.js';

interface DemoFlags {
  dir?: string;
  exit?: boolean;
  port?: string;
}

/** Resolves with the first SIGINT or SIGTERM; stops listening when `done` aborts. */
export function stopSignal(done: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const off = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
    const on = (signal: string) => {
      off();
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    done.addEventListener('abort', off, { once: true });
  });
}

function portFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new UsageError(`--port is "${text}"; expected a port number from 1 to 65535`, { hint: 'leave --port out to use a free port' });
  return port;
}

export function register(program: Command, run: CommandRunner): void {
  program
    .command('demo')
    .description('run pitcrew end to end on this machine: server, two runners, three local targets, deploys, rollback, failover, queue, report')
    .option('--dir <dir>', `the demo's workspace, wiped and recreated (default: ${DEFAULT_DEMO_DIR})`)
    .option('--exit', 'exit when the story is told instead of keeping the server up for the dashboard')
    .option('--port <n>', "the server's port on 127.0.0.1 (default: a free port)")
    .action(run((ctx, cmd) => {
      const flags = cmd.opts<DemoFlags>();
      return runDemo(ctx, { dir: flags.dir, exit: flags.exit === true, port: portFlag(flags.port) }, { untilStopped: stopSignal });
    }));
}
