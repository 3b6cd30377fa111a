import { tuneV8ForAgent } from '../agent/heap.js';
import { commandOf } from './command-of.js';
import { processIo } from './io.js';

/** Runs the CLI for this process and returns the exit code; bin/pitcrew.js sets process.exitCode from it. */
export async function run(): Promise<number> {
  const argv = process.argv.slice(2);
  // The agent's V8 settings apply before anything else is loaded, so they shape its memory from the start.
  if (commandOf(argv) === 'agent') tuneV8ForAgent();
  const { main } = await import('./main.js');
  return main(argv, process.env, processIo());
}
