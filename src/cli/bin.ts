import { main } from './main.js';
import { processIo } from './io.js';

/** Runs the CLI for this process and returns the exit code; bin/pitcrew.js sets process.exitCode from it. */
export async function run(): Promise<number> {
  return main(process.argv.slice(2), process.env, processIo());
}
