/**
 * Loopback ports for scenario processes: bind port 0, read the port the kernel
 * gave, release it. Processes that need their address known in advance (the
 * configuration names the server's and the agents' URLs) are started on it.
 */
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port from the kernel'))));
    });
  });
}
