/**
 * Runs the calling bench in a network namespace of its own, holding only a
 * loopback interface: the process re-executes itself under `unshare --net`
 * (with `lo` brought up) and exits with the child's code. A server started
 * there on 0.0.0.0 is reachable from this bench and its children only, on
 * 127.0.0.0/8, never from the machine's network. Needs root, `unshare` and
 * `ip` (iproute2).
 */
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';

const MARK = 'PITCREW_BENCH_NETNS_OF';

/** The current network namespace, e.g. `net:[4026531833]`. */
export function networkNamespace(): string {
  return readlinkSync('/proc/self/ns/net');
}

/**
 * Returns once this process runs in its own network namespace (on the second
 * run); on the first run it starts that second run and exits with its code.
 */
export async function inPrivateNetwork(): Promise<void> {
  const outer = process.env[MARK];
  if (outer !== undefined) {
    if (outer === networkNamespace()) throw new Error(`still in the machine's network namespace ${outer}: unshare --net did not take effect`);
    return;
  }
  const args = ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn('unshare', args, { stdio: 'inherit', env: { ...process.env, [MARK]: networkNamespace() } });
  const code = await new Promise<number>((resolve) => {
    child.once('error', (err) => {
      console.error(`cannot start a private network namespace (unshare --net, as root): ${err.message}`);
      resolve(2);
    });
    child.once('exit', (c, signal) => resolve(c ?? (signal === null ? 1 : 128)));
  });
  process.exit(code);
}
