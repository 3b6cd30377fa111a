/**
 * The request body limit of every HTTP route: a body over MAX_BODY_BYTES is
 * answered 413 `too-large` without being read (a Content-Length over the
 * limit is refused at once; a chunked body is counted as it arrives and
 * refused at the first byte past the limit). The agent stream's WebSocket
 * frames have the same limit (agent-stream.ts, ws `maxPayload`).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorBody } from './api-error.js';

/** 1 MiB: far above any request the API takes (a GitHub workflow_job delivery is a few KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

export function limitBodies(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header('connection', 'close');
      return c.json(errorBody('too-large', `body: larger than ${maxBytes} bytes, the server's limit (docs/server.md)`), 413);
    },
  });
}
