/**
 * The command registry: one module per command, each registering itself on
 * the program. A command appears in --help only when it is listed here, so
 * an unfinished command cannot be advertised.
 *
 * Modules load lazily: running `pitcrew hook ...` (before every CI job) loads
 * only the hook's module, not the server's HTTP, SQL and GitHub libraries.
 * Order matters where modules share a top-level name: `agent` registers
 * before `agent install`.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../program.js';

export interface CommandModule {
  register(program: Command, run: CommandRunner): void;
}

export interface CommandEntry {
  /** The top-level word on the command line. */
  name: string;
  load(): Promise<CommandModule>;
}

export const commands: CommandEntry[] = [
  { name: 'init', load: () => import('./init.js') },
  { name: 'config', load: () => import('./config-check.js') },
  { name: 'server', load: () => import('./server.js') },
  { name: 'agent', load: () => import('./agent.js') },
  { name: 'agent', load: () => import('./agent-install.js') },
  { name: 'hook', load: () => import('./hook.js') },
  { name: 'deploy', load: () => import('./deploy.js') },
  { name: 'rollback', load: () => import('./rollback.js') },
  { name: 'recover', load: () => import('./recover.js') },
  { name: 'status', load: () => import('./status.js') },
  { name: 'releases', load: () => import('./releases.js') },
  { name: 'lock', load: () => import('./lock.js') },
  { name: 'runners', load: () => import('./runners.js') },
  { name: 'select', load: () => import('./select.js') },
  { name: 'doctor', load: () => import('./doctor.js') },
  { name: 'report', load: () => import('./report.js') },
  { name: 'incident', load: () => import('./incident.js') },
  { name: 'token', load: () => import('./token.js') },
  { name: 'monitoring', load: () => import('./monitoring-export.js') },
  { name: 'mask', load: () => import('./mask.js') },
  { name: 'exec', load: () => import('./exec.js') },
  { name: 'demo', load: () => import('./demo.js') },
];

/** Global options that take a value, so their value is not mistaken for the command word. */
const VALUED_GLOBALS = new Set(['--config', '--server', '--token']);

/** The entries to load for this command line: the named command's, or all (help, unknown word, none). */
export function commandsFor(argv: readonly string[]): CommandEntry[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (VALUED_GLOBALS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    const named = commands.filter((c) => c.name === a);
    return named.length > 0 ? named : commands;
  }
  // `pitcrew --version` needs no command at all.
  return argv.includes('--version') || argv.includes('-V') ? [] : commands;
}
