/**
 * Building blocks for the configuration schema. Every message says what was
 * expected ("expected ..."); the loader adds what was found, so that a value
 * (which may be a secret) is described in exactly one place.
 */
import { z } from 'zod';
import { tryParseDuration, tryParseSize } from './duration.js';
import { closest } from './suggest.js';

/** Parameters the loader reads from a custom issue. */
export interface IssueParams {
  /** What was expected; the loader adds what was found. */
  expected?: string;
  /** A complete message, used as is. */
  message?: string;
  suggestion?: string;
}

/**
 * A strict object: unknown keys are errors. The valid keys ride along in the
 * issue's message (zod gives no other channel from a strict object to its
 * issues) so the loader can suggest the closest one; see `knownKeys`.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).strict(KEYS_PREFIX + JSON.stringify(Object.keys(shape)));
}
const KEYS_PREFIX = 'valid keys: ';

/** The valid keys of the strict object that raised an unrecognized_keys issue. */
export function knownKeys(issue: z.ZodIssue): string[] {
  if (issue.code !== 'unrecognized_keys' || !issue.message.startsWith(KEYS_PREFIX)) return [];
  return JSON.parse(issue.message.slice(KEYS_PREFIX.length)) as string[];
}

export function expectIssue(ctx: z.RefinementCtx, expected: string, extra: { path?: (string | number)[]; suggestion?: string } = {}): void {
  const params: IssueParams = { expected, suggestion: extra.suggestion };
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: extra.path, message: `expected ${expected}`, params });
}

/**
 * A schema chosen from the value itself: the chooser looks at the raw value
 * and returns the schema to apply (or reports an issue and returns undefined).
 * Issues of the chosen schema keep their paths.
 */
export function dispatch<T>(
  choose: (value: unknown, ctx: z.RefinementCtx) => z.ZodType<T, z.ZodTypeDef, unknown> | undefined,
): z.ZodType<T, z.ZodTypeDef, unknown> {
  return z.unknown().transform((value, ctx): T => {
    const schema = choose(value, ctx);
    if (schema === undefined) return z.NEVER;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue as z.IssueData);
    return z.NEVER;
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One of several shapes, chosen by a string field (`kind`, `transport`) and
 * looked up in a registry, so that an unknown kind is answered with the list
 * of valid ones.
 */
export function kindUnion<T>(
  field: string,
  what: string,
  registry: ReadonlyMap<string, z.ZodType<T, z.ZodTypeDef, unknown>>,
): z.ZodType<T, z.ZodTypeDef, unknown> {
  const valid = () => [...registry.keys()].join(', ');
  return dispatch((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.invalid_type, expected: 'object', received: 'undefined' });
      return undefined;
    }
    if (!isPlainObject(value)) {
      expectIssue(ctx, `a mapping with \`${field}\``);
      return undefined;
    }
    const kind = value[field];
    if (kind === undefined) {
      expectIssue(ctx, `one of ${valid()}`, { path: [field] });
      return undefined;
    }
    const schema = typeof kind === 'string' ? registry.get(kind) : undefined;
    if (schema === undefined) {
      const suggestion = typeof kind === 'string' ? closest(kind, registry.keys()) : undefined;
      expectIssue(ctx, `a ${what}: one of ${valid()}`, { path: [field], suggestion });
      return undefined;
    }
    return schema;
  });
}

/** A duration such as `30s`; parses to milliseconds. */
export function duration() {
  return z.unknown().transform((value, ctx): number => {
    const ms = typeof value === 'string' ? tryParseDuration(value) : undefined;
    if (ms === undefined) {
      expectIssue(ctx, 'a duration such as 500ms, 30s, 15m or 2h');
      return z.NEVER;
    }
    return ms;
  });
}

/** A byte size such as `2GiB` (or a whole number of bytes); parses to bytes. */
export function size() {
  return z.unknown().transform((value, ctx): number => {
    const bytes =
      typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
        ? value
        : typeof value === 'string'
          ? tryParseSize(value)
          : undefined;
    if (bytes === undefined) {
      expectIssue(ctx, 'a size such as 500MB or 2GiB');
      return z.NEVER;
    }
    return bytes;
  });
}

export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  const message = `expected a whole number ${range}`;
  return z.number({ invalid_type_error: message, required_error: message }).int({ message }).min(min, { message }).max(max, { message });
}

export function ratio() {
  const message = 'expected a ratio from 0 to 1, e.g. 0.1';
  return z.number({ invalid_type_error: message, required_error: message }).min(0, { message }).max(1, { message });
}

export function text() {
  const message = 'expected a non-empty string';
  return z.string({ invalid_type_error: message, required_error: message }).min(1, { message });
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A name for a runner, environment, target or token: letters, digits, `.`, `_`, `-`. */
export function name() {
  return z.string().regex(NAME, { message: 'expected a name of letters, digits, `.`, `_` or `-`' });
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The name of an environment variable, e.g. `GITHUB_TOKEN`. */
export function envName() {
  return z.string().regex(ENV_NAME, { message: 'expected an environment variable name such as GITHUB_TOKEN' });
}

/** An absolute http(s) URL. */
export function httpUrl() {
  return z.string().refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'expected an http:// or https:// URL' },
  );
}

/** `host:port`, e.g. `127.0.0.1:8080` or `[::1]:8080`. */
export function listenAddress() {
  return z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, {
    message: 'expected host:port, e.g. 127.0.0.1:8080',
  });
}
