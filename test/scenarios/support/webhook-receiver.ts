/**
 * A tiny HTTP server that records every POST it receives (path and JSON body):
 * the receiving end of Alertmanager's webhook notifications in scenarios. It
 * answers 200 to every POST and must never call anything itself.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scope } from './scope.js';

export interface Received {
  path: string;
  body: unknown;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startWebhookReceiver(scope: Scope): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    readBody(req).then(
      (body) => {
        received.push({ path: req.url ?? '/', body, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer('close the webhook receiver', () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}
