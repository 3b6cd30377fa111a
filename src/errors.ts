/**
 * Typed errors and the exit codes they map to. Every error a user can cause is
 * a PitcrewError carrying its exit code; the CLI maps errors to output in one
 * place (src/cli/main.ts) and never prints a stack for them.
 */

/** Exit codes, documented in README.md. */
export const ExitCode = {
  ok: 0,
  /** The operation failed (a deploy: failed, every target back on its old release). */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** A lock, runner or server was not available in time. */
  unavailable: 3,
  /** A human is needed (a deploy: a rollback did not complete). */
  humanNeeded: 4,
  /** Internal error. */
  internal: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class PitcrewError extends Error {
  readonly exitCode: ExitCode;
  /** Short stable identifier, e.g. `config.invalid`, for `--json` output. */
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, exitCode: ExitCode, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PitcrewError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options?.hint;
  }
}

/** Bad flags, bad arguments, bad configuration: exit 2. */
export class UsageError extends PitcrewError {
  constructor(message: string, options?: { hint?: string; code?: string; cause?: unknown }) {
    super(options?.code ?? 'usage', message, ExitCode.usage, options);
    this.name = 'UsageError';
  }
}

/** Something needed was not there in time (lock, runner, server): exit 3. */
export class UnavailableError extends PitcrewError {
  constructor(message: string, options?: { hint?: string; code?: string; cause?: unknown }) {
    super(options?.code ?? 'unavailable', message, ExitCode.unavailable, options);
    this.name = 'UnavailableError';
  }
}

/** The operation ran and failed cleanly: exit 1. */
export class OperationFailedError extends PitcrewError {
  constructor(message: string, options?: { hint?: string; code?: string; cause?: unknown }) {
    super(options?.code ?? 'failed', message, ExitCode.failed, options);
    this.name = 'OperationFailedError';
  }
}

/** A human must act (e.g. a rollback did not complete): exit 4. */
export class HumanNeededError extends PitcrewError {
  constructor(message: string, options?: { hint?: string; code?: string; cause?: unknown }) {
    super(options?.code ?? 'human-needed', message, ExitCode.humanNeeded, options);
    this.name = 'HumanNeededError';
  }
}

export function isPitcrewError(err: unknown): err is PitcrewError {
  return err instanceof PitcrewError;
}
