/**
 * `${VAR}` interpolation of the file's values from the environment, done on
 * the YAML document before validation so that every substitution keeps the
 * position of the node it came from. `$${` writes a literal `${`. Keys are
 * never interpolated. Which variables fed each node is recorded, so errors
 * can say "a value from ${NAME}" instead of showing a secret.
 */
import { visit, type Document, type Scalar } from 'yaml';
import type { Env } from '../cli/io.js';

export interface Interpolation {
  /** Variables substituted into each scalar. */
  vars: Map<Scalar, string[]>;
  /** Scalars that could not be interpolated, with what went wrong. */
  failures: Map<Scalar, string>;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(doc: Document, env: Env): Interpolation {
  const vars = new Map<Scalar, string[]>();
  const failures = new Map<Scalar, string>();
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const result = substitute(node.value, env);
      if ('error' in result) {
        failures.set(node, result.error);
        return;
      }
      if (result.used.length > 0) vars.set(node, result.used);
      node.value = node.type === 'PLAIN' && result.used.length > 0 ? retype(result.text) : result.text;
    },
  });
  return { vars, failures };
}

type Substitution = { text: string; used: string[] } | { error: string };

function substitute(source: string, env: Env): Substitution {
  let out = '';
  const used: string[] = [];
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (source.startsWith('${', i)) {
      const end = source.indexOf('}', i + 2);
      if (end < 0) return { error: 'unterminated `${`: write ${NAME}, or $${ for a literal ${' };
      const name = source.slice(i + 2, end);
      if (!VAR_NAME.test(name)) {
        return { error: `expected a variable name inside \${...}, found ${JSON.stringify(name.slice(0, 40))}; write $\${ for a literal \${` };
      }
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      if (typeof value !== 'string') return { error: `environment variable ${name} is not set (used as \${${name}})` };
      out += value;
      used.push(name);
      i = end + 1;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return { text: out, used };
}

/** An unquoted value that is a number or a boolean after substitution is read as one; quote it to keep a string. */
function retype(text: string): string | number | boolean {
  if (/^[-+]?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}
