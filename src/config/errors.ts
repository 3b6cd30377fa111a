/**
 * ConfigError: every problem found in a configuration file, each with its
 * place (file:line:column and key path) and what was expected and found.
 * Messages are built by the loader from positions and key paths only; they
 * must never carry a secret's value.
 */
import { UsageError } from '../errors.js';

export interface Problem {
  file: string;
  /** 1-based; 0 when the problem is with the file as a whole. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path of the offending node, e.g. `environments.production.targets[2].port`; '' for the whole file. */
  path: string;
  message: string;
}

export const CONFIG_HINT = 'name the file with --config FILE or $PITCREW_CONFIG';

export function formatProblem(p: Problem): string {
  // Line 0 means the problem is with the file as a whole (e.g. it is missing).
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

export class ConfigError extends UsageError {
  readonly problems: Problem[];

  constructor(problems: Problem[], options?: { hint?: string; cause?: unknown }) {
    const head =
      problems.length === 1 ? 'configuration problem:' : `configuration has ${problems.length} problems:`;
    super([head, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'), {
      code: 'config.invalid',
      hint: options?.hint,
      cause: options?.cause,
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
