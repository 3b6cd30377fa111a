/**
 * V8 settings for the long-running agent, applied in-process as `pitcrew
 * agent` starts (never for the server or other commands). The agent runs a
 * few small functions once a second: V8's compilers (Sparkplug's baseline
 * code, Maglev, TurboFan) would compile them for no measurable CPU gain while
 * their code and compile memory stay resident, and the young generation may
 * grow to 16 MiB per semi-space for a process that allocates kilobytes a
 * second. Running bytecode only, keeping semi-spaces at 1 MiB and letting the
 * heap favour size keeps the agent about 9 MiB lower (docs/benchmarks.md,
 * agent footprint) at the same CPU. Each flag takes effect at once for what V8
 * does next.
 */
import v8 from 'node:v8';

export const AGENT_V8_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--no-opt', '--no-maglev', '--no-sparkplug'] as const;

/** Called once by the CLI (bin.ts) for `pitcrew agent`, before anything else is loaded. */
export function tuneV8ForAgent(flags: readonly string[] = AGENT_V8_FLAGS): void {
  for (const flag of flags) v8.setFlagsFromString(flag);
}
