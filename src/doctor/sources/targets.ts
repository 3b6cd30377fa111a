/**
 * Inspects every target of an environment through its transport, each under
 * a deadline and all at once. Read-only: only `inspect()` is called, never a
 * stage, switch, mark or prune. A target that cannot be opened or inspected
 * becomes an entry with its error (code kept: `host-key` codes matter).
 */
import { targetName, type Environment } from '../../config/index.js';
import { transportFor } from '../../deploy/transports/registry.js';
import type { TargetRef, TargetState, Transport } from '../../deploy/transports/transport.js';
import { withTimeout } from './source.js';

export interface TargetInspection {
  target: string;
  /** Host (ssh) or folder (local), for messages. */
  where: string;
  state?: TargetState;
  error?: { message: string; code?: string };
}

export type TransportLookup = (kind: string, where: string) => Transport;

export async function inspectTargets(envName: string, env: Environment, timeoutMs: number, lookup: TransportLookup = transportFor): Promise<TargetInspection[]> {
  return Promise.all(
    env.targets.map(async (t): Promise<TargetInspection> => {
      const fields = t as Record<string, unknown>;
      const name = String(targetName(fields));
      const where = typeof fields.host === 'string' ? `${fields.host}:${String(fields.port ?? 22)}` : String(fields.folder);
      const ref: TargetRef = { ...fields, name, ...('path' in env ? { path: env.path } : {}) };
      try {
        const transport = lookup(env.transport, `environments.${envName}.transport`);
        const state = await withTimeout(
          (async () => {
            const session = await transport.open(ref);
            try {
              return await session.inspect({ free: true });
            } finally {
              await session.close().catch(() => undefined);
            }
          })(),
          timeoutMs,
          `inspect target ${name}`,
        );
        return { target: name, where, state };
      } catch (err) {
        const e = err as { message?: string; code?: unknown; cause?: { code?: unknown } };
        // A transport may wrap the typed ssh error; a host-key code in the cause counts too.
        const causeCode = typeof e.cause?.code === 'string' && e.cause.code.includes('host-key') ? e.cause.code : undefined;
        const code = causeCode ?? (typeof e.code === 'string' ? e.code : undefined);
        return { target: name, where, error: { message: e.message ?? String(err), ...(code ? { code } : {}) } };
      }
    }),
  );
}
