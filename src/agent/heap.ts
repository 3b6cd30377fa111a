/**
 * V8 heap settings for the long-running agent. Node's default young
 * generation may grow to 16 MiB per semi-space, which a process allocating a
 * few kilobytes a second never needs but keeps resident once grown; 1 MiB
 * semi-spaces keep the agent's resident memory about 10 MiB lower for a few
 * more (sub-millisecond) scavenges. Takes effect at once: V8 reads the limit
 * when it next sizes the young generation.
 */
import v8 from 'node:v8';

export const AGENT_SEMI_SPACE_MIB = 1;

/** Called once by `pitcrew agent` before the agent starts; never by the server or other commands. */
export function limitYoungGeneration(semiSpaceMiB = AGENT_SEMI_SPACE_MIB): void {
  v8.setFlagsFromString(`--max-semi-space-size=${semiSpaceMiB}`);
}
