/**
 * The whole of pitcrew.yml as one zod schema: strict objects (an unknown key
 * is an error), defaults applied, durations and sizes parsed to numbers.
 * Checks that span sections (runner names, references) live in
 * cross-checks.ts; this file only describes shapes.
 */
import { z } from 'zod';
import { environmentSchema } from './environment.js';
import { duration, envName, httpUrl, int, listenAddress, name, ratio, size, strictObject, text } from './fields.js';

export const ROLES = ['viewer', 'deployer', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_TOKEN_ENV = 'GITHUB_TOKEN';
export const DEFAULT_WEBHOOK_SECRET_ENV = 'PITCREW_WEBHOOK_SECRET';

const github = strictObject({
  owner: text(),
  repo: text(),
  /** GitHub Enterprise Server: https://HOST/api/v3 */
  apiUrl: httpUrl().default('https://api.github.com'),
  tokenEnv: envName().default(DEFAULT_TOKEN_ENV),
  webhookSecretEnv: envName().default(DEFAULT_WEBHOOK_SECRET_ENV),
  /** Which runners list the server polls: the repository's, or the organization's (`owner` is the organization). */
  runners: z.enum(['repository', 'organization']).default('repository'),
  /** How often the server polls GitHub's runners list (slower when the rate limit runs low); `0s` turns polling off. */
  pollInterval: duration().default('60s'),
});

const apiToken = strictObject({
  name: name(),
  role: z.enum(ROLES),
  /** Variable holding the token (a secret). */
  env: envName(),
});

const server = strictObject({
  /** Where CLIs and agents reach the server. */
  url: httpUrl().default('http://127.0.0.1:8080'),
  listen: listenAddress().default('127.0.0.1:8080'),
  /** A SQLite file path, or a postgres:// URL. */
  database: text().default('./.pitcrew/pitcrew.db'),
  tokens: z.array(apiToken).default([]),
});

const thresholds = strictObject({
  diskFreeMinRatio: ratio().default(0.1),
  diskFreeMinBytes: size().default('1GiB'),
  memoryAvailableMinRatio: ratio().default(0.05),
  loadPerCoreMax: z.number({ invalid_type_error: 'expected a number' }).positive({ message: 'expected a number > 0' }).default(4),
  heartbeatTimeout: duration().default('3s'),
});

const runner = strictObject({
  name: name(),
  labels: z.array(text()).default([]),
  /** Environments this runner may deploy to (an environment may also list the runner). */
  environments: z.array(name()).default([]),
  /** Lower wins when several healthy runners may deploy (1 = primary). */
  priority: int(-1000, 1000).default(0),
  /** Where Prometheus scrapes this runner's agent. */
  agentUrl: httpUrl().optional(),
  thresholds: thresholds.default({}),
});

export const configSchema = strictObject({
  project: name(),
  github: github.optional(),
  server: server.default({}),
  runners: z.array(runner).default([]),
  environments: z.record(name(), environmentSchema).default({}),
  /** Variables whose values must never be printed. */
  secrets: z.array(envName()).default([]),
});

/** The parsed configuration: defaults applied, durations in ms, sizes in bytes. */
export type Config = z.output<typeof configSchema>;
export type GithubConfig = NonNullable<Config['github']>;
export type ServerConfig = Config['server'];
export type RunnerConfig = Config['runners'][number];
export type ApiTokenConfig = ServerConfig['tokens'][number];
