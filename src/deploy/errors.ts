/**
 * Typed errors of the deploy primitives: a refused artifact, a stale fencing
 * token, a release id staged twice with different content, a target that
 * could not do what was asked. They carry exit codes and stable codes so the
 * CLI maps them in one place; they must never carry file contents or secrets.
 */
import { ExitCode, PitcrewError } from '../errors.js';

/** The artifact was refused before any target was touched: exit 1, `artifact.invalid`. */
export class ArtifactError extends PitcrewError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { hint?: string; cause?: unknown }) {
    super('artifact.invalid', `artifact ${file} refused: ${problem}`, ExitCode.failed, options);
    this.name = 'ArtifactError';
    this.file = file;
  }
}

/** A switch from a fencing token lower than the one the target has seen: exit 3, `target.fenced`. */
export class FenceError extends PitcrewError {
  readonly target: string;
  readonly token: number;
  readonly fence: number;
  constructor(target: string, token: number, fence: number) {
    super(
      'target.fenced',
      `target ${target} refused the switch: fencing token ${token} is lower than ${fence}, which a newer deploy already used`,
      ExitCode.unavailable,
      { hint: 'this deployer lost its lock; run `pitcrew recover` or start a new deploy' },
    );
    this.name = 'FenceError';
    this.target = target;
    this.token = token;
    this.fence = fence;
  }
}

/** The same release id is already staged with a different digest: exit 1, `release.conflict`. */
export class ReleaseConflictError extends PitcrewError {
  readonly target: string;
  constructor(target: string, message: string) {
    super('release.conflict', `target ${target}: ${message}`, ExitCode.failed, {
      hint: 'give the new build its own version, or remove the old folder by hand if it is not in use',
    });
    this.name = 'ReleaseConflictError';
    this.target = target;
  }
}

/** A target operation failed (missing folder, missing tool, I/O error): exit 1, `target.failed`. */
export class TargetError extends PitcrewError {
  readonly target: string;
  constructor(target: string, message: string, options?: { hint?: string; code?: string; cause?: unknown }) {
    super(options?.code ?? 'target.failed', `target ${target}: ${message}`, ExitCode.failed, options);
    this.name = 'TargetError';
    this.target = target;
  }
}
