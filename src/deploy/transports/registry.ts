/**
 * The transports pitcrew knows, by kind. Adding one is one line here; asking
 * for an unknown kind is answered with the list of valid ones.
 */
import { UsageError } from '../../errors.js';
import { localTransport } from './local.js';
import { sshTransport } from './ssh.js';
import type { Transport } from './transport.js';

export const transports: ReadonlyMap<string, () => Transport> = new Map<string, () => Transport>([
  ['local', () => localTransport()],
  ['ssh', () => sshTransport()],
]);

/** The transport for `kind`; `where` names the config key for the error message. */
export function transportFor(kind: string, where = 'transport', registry: ReadonlyMap<string, () => Transport> = transports): Transport {
  const make = registry.get(kind);
  if (make === undefined) {
    throw new UsageError(`${where}: unknown transport ${JSON.stringify(kind)}; valid transports: ${[...registry.keys()].sort().join(', ')}`, {
      code: 'transport.unknown',
    });
  }
  return make();
}
