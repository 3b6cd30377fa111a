/**
 * Health-check and smoke-test kinds, in a registry from kind to schema. Adding
 * a kind is adding one entry; an unknown kind is answered with the valid ones.
 */
import { z } from 'zod';
import { duration, httpUrl, int, kindUnion, strictObject, text } from './fields.js';

const retry = {
  name: text().optional(),
  /** Each attempt's limit. */
  timeout: duration().default('5s'),
  /** Attempts after the first failure. */
  retries: int(0, 100).default(3),
  /** Pause between attempts. */
  interval: duration().default('1s'),
};

const httpCheck = strictObject({
  kind: z.literal('http'),
  url: httpUrl(),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  expectStatus: int(100, 599).default(200),
  /** When set, the response body must contain this text. */
  expectBody: z.string().optional(),
  ...retry,
});

const commandCheck = strictObject({
  kind: z.literal('command'),
  /** A shell command run on the target; exit 0 passes. */
  run: text(),
  /** When set, the command's output (stdout) must also contain this text. */
  expectOutput: z.string().min(1).optional(),
  ...retry,
  timeout: duration().default('30s'),
});

const tcpCheck = strictObject({
  kind: z.literal('tcp'),
  /** Defaults to the target's host (127.0.0.1 for local targets). */
  host: text().optional(),
  port: int(1, 65535),
  ...retry,
});

export const checkKinds = { http: httpCheck, command: commandCheck, tcp: tcpCheck };

export type HttpCheck = z.output<typeof httpCheck>;
export type CommandCheck = z.output<typeof commandCheck>;
export type TcpCheck = z.output<typeof tcpCheck>;
export type Check = HttpCheck | CommandCheck | TcpCheck;

export const checkRegistry: ReadonlyMap<string, z.ZodType<Check, z.ZodTypeDef, unknown>> = new Map<string, z.ZodType<Check, z.ZodTypeDef, unknown>>(
  Object.entries(checkKinds),
);

export const checkSchema = kindUnion('kind', 'check kind', checkRegistry);
