/**
 * Reads pitcrew.yml: YAML with positions, `${VAR}` interpolation, schema and
 * cross checks. Every problem is collected and thrown as one ConfigError;
 * no message it builds may carry a secret's value.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Env } from '../cli/io.js';
import { crossCheck } from './cross-checks.js';
import { CONFIG_HINT, ConfigError, type Problem } from './errors.js';
import { interpolate } from './interpolate.js';
import { issueProblems } from './issues.js';
import { formatPath, locate, position } from './locate.js';
import { configSchema, type Config } from './schema.js';
import { maskText, resolveSecrets, secretRefs, type Secret } from './secrets.js';

export interface LoadedConfig {
  /** The file it was read from. */
  path: string;
  config: Config;
  /** Values of every secret-bearing variable that is set. */
  secrets: Secret[];
}

export interface LoadOptions {
  /** Reads the file as UTF-8 text; defaults to node:fs. */
  readFile?: (path: string) => Promise<string>;
}

/**
 * Loads and validates a configuration file.
 * @example const { config } = await loadConfig(ctx.globals.configPath, ctx.env);
 * @throws ConfigError (exit 2) listing every problem, or naming a file that cannot be read.
 */
export async function loadConfig(path: string, env: Env, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const read = opts.readFile ?? ((p: string) => fsReadFile(p, 'utf8'));
  let text: string;
  try {
    text = await read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'not found'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'cannot be read: permission denied'
            : `cannot be read: ${(err as Error).message}`;
    throw new ConfigError([{ file: path, line: 0, column: 0, path: '', message: `configuration file ${why}` }], {
      hint: `${CONFIG_HINT}; examples/pitcrew.yml in the package is a complete example`,
      cause: err,
    });
  }
  return parseConfigText(text, path, env);
}

/** Parses configuration text; `fileName` is used in problem locations only. */
export function parseConfigText(text: string, fileName: string, env: Env): LoadedConfig {
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml package would otherwise print warnings to the process's stderr itself.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw failure(syntaxProblems(doc, lineCounter, fileName), secretValuesOf(secretRefs(safeToJs(doc)), env));
  }

  const keyProblems = complexKeys(doc).map((node) => ({
    file: fileName,
    ...position(node, lineCounter),
    path: pathOf(doc, node),
    message: 'expected a plain key, found a list or mapping used as a key',
  }));
  // Such keys cannot be turned into data; nothing more can be checked.
  if (keyProblems.length > 0) throw failure(keyProblems, []);

  const { vars, failures } = interpolate(doc, env);
  const problems: Problem[] = [];
  for (const [node, message] of failures) {
    problems.push({ file: fileName, ...position(node, lineCounter), path: pathOf(doc, node), message });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    problems.push({ file: fileName, line: 1, column: 1, path: '', message: `cannot read the YAML: ${firstLine((err as Error).message)}` });
    throw failure(problems, []);
  }

  const refs = secretRefs(data);
  const secretNames = new Set(refs.map((r) => r.name));
  const secretValues = secretValuesOf(refs, env);
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const ctx = { file: fileName, doc, lineCounter, data, vars, secretNames, secretValues };
    for (const issue of result.error.issues) {
      const at = locate(doc, issue.path);
      // A value that could not be interpolated is already reported.
      if (at.complete && failures.has(at.node as never)) continue;
      problems.push(...issueProblems(issue, ctx));
    }
  }
  for (const p of crossCheck(data)) {
    const at = locate(doc, p.path);
    problems.push({ file: fileName, ...position(at.node, lineCounter), path: formatPath(p.path), message: p.message });
  }
  if (problems.length > 0 || !result.success) throw failure(problems, secretValues);
  return { path: fileName, config: result.data, secrets: resolveSecrets(secretRefs(result.data), env) };
}

function failure(problems: Problem[], secretValues: readonly string[]): ConfigError {
  const seen = new Set<string>();
  const clean = problems
    .map((p) => ({ ...p, path: maskText(p.path, secretValues), message: maskText(p.message, secretValues) }))
    .filter((p) => {
      const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return new ConfigError(clean, { hint: 'see docs/config.md for every key, its type and its default' });
}

/**
 * One problem per line, at most five: after the first syntax error the
 * parser's recovery reports every later token, which helps nobody.
 */
function syntaxProblems(doc: Document, lineCounter: LineCounter, file: string): Problem[] {
  const out: Problem[] = [];
  for (const e of doc.errors) {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    if (out.some((p) => p.line === line)) continue;
    out.push({ file, line, column: col, path: '', message: `YAML syntax error: ${firstLine(e.message)}` });
    if (out.length === 5) break;
  }
  return out;
}

function secretValuesOf(refs: readonly { name: string }[], env: Env): string[] {
  return resolveSecrets(
    refs.map((r) => ({ ...r, source: '' })),
    env,
  ).map((s) => s.value);
}

function safeToJs(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** Keys that are lists or mappings: legal YAML, never a valid pitcrew key. */
function complexKeys(doc: Document): Node[] {
  const out: Node[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && typeof pair.key === 'object' && !isScalar(pair.key)) out.push(pair.key as Node);
    },
  });
  return out;
}

/** The key path of a node, found by walking the document. */
function pathOf(doc: Document, target: unknown): string {
  let found = '';
  const walk = (node: unknown, path: (string | number)[]): boolean => {
    if (node === target) {
      found = formatPath(path);
      return true;
    }
    if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items)) {
      return node.items.some((item: unknown, i: number) => {
        if (item && typeof item === 'object' && 'key' in item && 'value' in item) {
          const key = item.key as { value?: unknown } | null;
          return walk(item.value, [...path, String(key?.value ?? key)]);
        }
        return walk(item, [...path, i]);
      });
    }
    return false;
  };
  walk(doc.contents, []);
  return found;
}
