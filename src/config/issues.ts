/**
 * Turns zod issues into problems a person can act on: file:line:column of the
 * offending node, its key path, what was expected, what was found, and the
 * closest valid key or kind. The found value is described here and only
 * here, so a value that came from a secret is never shown.
 */
import type { Document, LineCounter, Node, Scalar } from 'yaml';
import type { z } from 'zod';
import type { Problem } from './errors.js';
import { knownKeys, isPlainObject, type IssueParams } from './fields.js';
import { formatPath, locate, position, type KeyPath } from './locate.js';
import { closest } from './suggest.js';

export interface IssueContext {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The interpolated data that was validated. */
  data: unknown;
  /** Variables substituted into each scalar. */
  vars: ReadonlyMap<Scalar, string[]>;
  /** Names of secret-bearing variables. */
  secretNames: ReadonlySet<string>;
  /** Values of secret-bearing variables. */
  secretValues: readonly string[];
}

export function issueProblems(issue: z.ZodIssue, ctx: IssueContext): Problem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const valid = knownKeys(issue);
    return issue.keys.map((key) => {
      const at = locate(ctx.doc, [...path, key]);
      const shown = containsSecret(key, ctx) ? 'an unknown key (not shown: it holds a secret value)' : `unknown key \`${key}\``;
      const suggestion = closest(key, valid);
      const advice = suggestion ? `; did you mean \`${suggestion}\`?` : valid.length > 0 ? `; valid keys: ${valid.join(', ')}` : '';
      return problem(ctx, at.keyNode ?? at.node, [...path, key], shown + advice);
    });
  }
  const params = (issue.code === 'custom' ? issue.params : undefined) as IssueParams | undefined;
  const value = valueAt(ctx.data, path);
  const at = locate(ctx.doc, path);
  if (params?.message) return [problem(ctx, at.node, path, params.message)];
  const expected = params?.expected ?? expectedOf(issue);
  const last = path[path.length - 1];
  if (value === undefined && typeof last === 'string' && isPlainObject(valueAt(ctx.data, path.slice(0, -1)))) {
    const detail = expected && expected !== 'a value' ? ` (expected ${expected})` : '';
    return [problem(ctx, at.node, path, `missing required key \`${last}\`${detail}`)];
  }
  if (issue.code === 'invalid_string' && typeof value !== 'string' && typeof last === 'string') {
    // A record's key failed (e.g. an environment's name): point at the key.
    const found = containsSecret(last, ctx) ? 'a key holding a secret value (not shown)' : JSON.stringify(last);
    return [problem(ctx, at.keyNode ?? at.node, path, `expected ${expected} as the key, found ${found}`)];
  }
  const suggestion =
    params?.suggestion ??
    (issue.code === 'invalid_enum_value' && typeof value === 'string' ? closest(value, issue.options.map(String)) : undefined);
  const found = describe(value, at.complete ? at.node : null, ctx);
  const advice = suggestion ? `; did you mean \`${suggestion}\`?` : '';
  return [problem(ctx, at.node, path, `expected ${expected}, found ${found}${advice}`)];
}

function problem(ctx: IssueContext, node: Node | null, path: KeyPath, message: string): Problem {
  const { line, column } = position(node, ctx.lineCounter);
  return { file: ctx.file, line, column, path: formatPath(path), message };
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function expectedOf(issue: z.ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message.slice('expected '.length);
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'invalid_enum_value':
      return `one of ${issue.options.join(', ')}`;
    case 'invalid_literal':
      return JSON.stringify(issue.expected);
    default:
      return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

/** What was found, never showing a value that holds a secret. */
export function describe(value: unknown, node: Node | null, ctx: Pick<IssueContext, 'vars' | 'secretNames' | 'secretValues'>): string {
  const used = node ? (ctx.vars.get(node as Scalar) ?? []) : [];
  const secretVar = used.find((v) => ctx.secretNames.has(v));
  if (secretVar) return `a value from \${${secretVar}} (secret, not shown)`;
  if ((typeof value === 'string' || typeof value === 'number') && containsSecret(String(value), ctx)) {
    return 'a value holding a secret (not shown)';
  }
  const from = used.length > 0 ? ` (from ${used.map((v) => `\${${v}}`).join(', ')})` : '';
  return shown(value) + from;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}...` : JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function containsSecret(text: string, ctx: Pick<IssueContext, 'secretValues'>): boolean {
  return ctx.secretValues.some((v) => v !== '' && text.includes(v));
}

export function valueAt(data: unknown, path: KeyPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
  }
  return cur;
}
