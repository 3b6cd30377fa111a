/**
 * Checks that span sections of the file: unique runner, token and target
 * names, and references between runners and environments. They read the
 * interpolated data defensively (it may be invalid elsewhere) so that these
 * problems are reported together with every other one.
 */
import { isPlainObject } from './fields.js';
import { formatPath, type KeyPath } from './locate.js';
import { closest } from './suggest.js';

export interface CrossProblem {
  path: KeyPath;
  message: string;
}

export function crossCheck(data: unknown): CrossProblem[] {
  if (!isPlainObject(data)) return [];
  const out: CrossProblem[] = [];
  const runners = entries(data.runners);
  const environments = isPlainObject(data.environments) ? data.environments : {};
  const runnerNames = unique(runners, (r) => r.name, ['runners'], 'runner name', out);
  const tokens = isPlainObject(data.server) ? entries(data.server.tokens) : [];
  unique(tokens, (t) => t.name, ['server', 'tokens'], 'token name', out);

  for (const [env, e] of Object.entries(environments)) {
    if (!isPlainObject(e)) continue;
    strings(e.runners).forEach(([i, name]) => {
      if (!runnerNames.has(name)) out.push(unknownRef(['environments', env, 'runners', i], 'runner', name, [...runnerNames.keys()]));
    });
    const targets = entries(e.targets);
    unique(targets, targetName, ['environments', env, 'targets'], 'target', out);
  }
  runners.forEach(([i, r]) => {
    strings(r.environments).forEach(([j, name]) => {
      if (!Object.hasOwn(environments, name)) {
        out.push(unknownRef(['runners', i, 'environments', j], 'environment', name, Object.keys(environments)));
      }
    });
  });
  return out;
}

/** A target's name: `name`, else `host:port` (ssh) or the folder (local). */
export function targetName(t: Record<string, unknown>): unknown {
  if (t.name !== undefined) return t.name;
  if (typeof t.host === 'string') return `${t.host}:${typeof t.port === 'number' ? t.port : 22}`;
  return t.folder;
}

function unknownRef(path: KeyPath, what: string, name: string, known: string[]): CrossProblem {
  const suggestion = closest(name, known);
  const advice = suggestion
    ? `; did you mean \`${suggestion}\`?`
    : known.length > 0
      ? `; known ${what}s: ${known.join(', ')}`
      : `; no ${what}s are defined`;
  return { path, message: `expected the name of ${article(what)} ${what} defined in this file, found unknown ${what} \`${name}\`${advice}` };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function unique(
  items: [number, Record<string, unknown>][],
  key: (item: Record<string, unknown>) => unknown,
  base: KeyPath,
  what: string,
  out: CrossProblem[],
): Map<string, number> {
  const seen = new Map<string, number>();
  for (const [i, item] of items) {
    const k = key(item);
    if (typeof k !== 'string') continue;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else {
      const at = item.name === undefined ? [...base, i] : [...base, i, 'name'];
      out.push({ path: at, message: `duplicate ${what} \`${k}\`: already used by ${formatPath([...base, first])}` });
    }
  }
  return seen;
}

function entries(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [number, Record<string, unknown>][] => (isPlainObject(v) ? [[i, v]] : []));
}

function strings(value: unknown): [number, string][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [number, string][] => (typeof v === 'string' ? [[i, v]] : []));
}
