import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { ConfigError, parseConfigText, redact, secretRefs } from '../../src/config/index.js';
import type { Env } from '../../src/cli/io.js';
import { examplePath } from './helpers.js';

const SECRET = 'zz-very-secret-value-zz';
const ENV: Env = { DB_PASSWORD: SECRET, SECRET_A: SECRET, GITHUB_TOKEN: SECRET, PORT: '22', EMPTY: '' };

/**
 * Loads `text`; passes when it loads or throws a ConfigError, and when no
 * secret value is echoed while the text (as YAML) marks the variable secret.
 */
function check(text: string): void {
  let echoed: string;
  try {
    const loaded = parseConfigText(text, 'fuzz.yml', ENV);
    echoed = JSON.stringify(redact(loaded.config, loaded.secrets.map((s) => s.value)));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    echoed = err.message + JSON.stringify(err.problems);
  }
  if (echoed.includes(SECRET)) {
    let raw: unknown;
    try {
      raw = parseDocument(text, { logLevel: 'silent' }).toJS({ maxAliasCount: 100 });
    } catch {
      assert.fail(`a secret value was echoed for text that is not even YAML:\n${text}`);
    }
    const names = secretRefs(raw).map((r) => r.name);
    assert.ok(
      !names.includes('DB_PASSWORD') && !names.includes('SECRET_A') && !names.includes('GITHUB_TOKEN'),
      `a secret value was echoed:\n${text}\n---\n${echoed}`,
    );
  }
}

const TOKENS = [
  'project', 'shop', ':', ': ', ' ', '  ', '\n', '\n  ', '\n    ', '- ', '[', ']', '{', '}', ', ', '"', "'", '#',
  '${SECRET_A}', '"${SECRET_A}"', '${DB_PASSWORD}', '$${', '${', '${PORT}', '${UNSET}', '${EMPTY}', '&a ', '*a', '!!str ', '!!binary ', '---\n', '? ',
  '|\n', '>\n', '<<: ', 'environments', 'staging', 'transport', 'ssh', 'local', 'targets', 'folder', 'host', 'port',
  'runners', 'name', 'secrets: [SECRET_A]', 'secrets', 'healthChecks', 'kind', 'http', 'tcp', 'lock', 'ttl', '15m', '2GiB',
  'github', 'tokenEnv', '1', '-1', '0x1f', '1e400', 'null', '~', 'true', '\t', '\u0000', 'é', '__proto__', 'constructor',
];

test('random YAML-ish text only ever loads or throws a ConfigError, never echoing a secret', { timeout: 120_000 }, () => {
  const piece = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 80 }), (pieces) => check(pieces.join(''))),
    { numRuns: 1500 },
  );
});

const example = readFileSync(examplePath, 'utf8');
const lines = example.split('\n');

type Mutation =
  | { op: 'delete'; line: number }
  | { op: 'duplicate'; line: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'value'; line: number; text: string }
  | { op: 'indent'; line: number; by: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), line: fc.nat(lines.length - 1) }),
  fc.record({ op: fc.constant('duplicate' as const), line: fc.nat(lines.length - 1) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(example.length), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) }),
  fc.record({ op: fc.constant('value' as const), line: fc.nat(lines.length - 1), text: fc.constantFrom('${DB_PASSWORD}', '"${DB_PASSWORD}"', '${GITHUB_TOKEN}x', '${PORT}', '${UNSET}', '[]', '{}', '-3', 'ssh', '5 minutes', 'keepRelease: 1') }),
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(lines.length - 1), by: fc.integer({ min: -2, max: 2 }) }),
);

function apply(text: string, m: Mutation): string {
  const ls = text.split('\n');
  const i = 'line' in m ? Math.min(m.line, ls.length - 1) : 0;
  switch (m.op) {
    case 'delete':
      ls.splice(i, 1);
      return ls.join('\n');
    case 'duplicate':
      ls.splice(i, 0, ls[i]);
      return ls.join('\n');
    case 'insert': {
      const at = Math.min(m.at, text.length);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'value': {
      const colon = ls[i].indexOf(': ');
      ls[i] = colon < 0 ? ls[i] + m.text : ls[i].slice(0, colon + 2) + m.text;
      return ls.join('\n');
    }
    case 'indent':
      ls[i] = m.by >= 0 ? ' '.repeat(m.by) + ls[i] : ls[i].replace(new RegExp(`^ {0,${-m.by}}`), '');
      return ls.join('\n');
  }
}

test('mutations of the example only ever load or throw a ConfigError, never echoing a secret', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => check(ms.reduce(apply, example))),
    { numRuns: 800 },
  );
});

test('an alias bomb is refused with a ConfigError instead of expanding', { timeout: 30_000 }, () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  assert.throws(() => parseConfigText(levels.join('\n'), 'bomb.yml', {}), ConfigError);
});
