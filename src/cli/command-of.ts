/**
 * The command an argument list runs, read before commander is loaded, for
 * what must happen first in the process (bin.ts). Skips the global options
 * and the values of those that take one (program.ts globalOptions; a test
 * keeps the two lists in step).
 */
export const GLOBAL_OPTIONS_WITH_VALUE: readonly string[] = ['--config', '--server', '--token'];

/** The first argument that is neither a global option nor its value; undefined when there is none. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (GLOBAL_OPTIONS_WITH_VALUE.includes(arg)) i++;
  }
  return undefined;
}
