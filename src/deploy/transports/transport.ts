/**
 * The narrow set of operations the deploy engine needs on one target, and the
 * transport that opens them. Transports (local, ssh) differ only in how they
 * reach a target; what happens on it is the same shell script
 * (target-script.ts). Nothing here decides policy: which targets, in which
 * order, when to roll back is the engine's business.
 */

/** A target as configured: its name plus the fields its transport needs (`folder` for local). */
export interface TargetRef {
  name: string;
  [field: string]: unknown;
}

export type ReleaseMark = 'good' | 'bad';

export interface ReleaseInfo {
  id: string;
  /** Digest recorded when the release was staged; undefined for a folder pitcrew did not finish. */
  sha256?: string;
  /** Staging order on this target (grows by one per staged release). */
  seq: number;
  mark?: ReleaseMark;
}

export interface TargetState {
  /** Release `current` points at, or undefined when there is none yet. */
  current?: string;
  /** Release ids, oldest staged first. */
  releases: string[];
  details: ReleaseInfo[];
  /** Highest fencing token that has switched this target (0 when none). */
  fence: number;
  freeBytes?: number;
  /** Release a crashed switch was about to point `current` at (a leftover `current.tmp-*`). */
  pendingSwitch?: string;
  /** Work-in-progress names left by a crash (`releases/<id>.tmp-*`, `current.tmp-*`); ignored, removed by prune. */
  leftovers: string[];
}

export interface RunOptions {
  /** `current` runs in `<path>/current`; `release` in `<path>/releases/<release>`. */
  cwd: 'current' | 'release';
  /** Required when cwd is `release`. */
  release?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /**
   * The command is a check: it leaves nothing running and its output is read
   * when it ends. The ssh transport then runs it in the target's script
   * shell, with its output in files, instead of in a channel of its own;
   * `onOutput` gets the output at the end.
   */
  check?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Last bytes of each stream (at most `OUTPUT_TAIL_BYTES`). */
  stdoutTail: string;
  stderrTail: string;
}

export interface StageResult {
  releaseId: string;
  /** False when the release was already there with the same digest. */
  created: boolean;
}

export interface SwitchResult {
  /** Release `current` pointed at before, or undefined. */
  previous?: string;
  current: string;
}

/** How one of several steps run together went: its result, or its error. */
export type Outcome<T> = { status: 'ok'; value: T } | { status: 'failed'; error: Error };

export interface MarkAndPruneResult {
  mark: Outcome<void>;
  /** The ids removed, oldest first. */
  prune: Outcome<string[]>;
}

export interface InspectOptions {
  /** Also measure the free space of the target's filesystem (`freeBytes`); costs two processes on the target. */
  free?: boolean;
}

export interface TargetSession {
  readonly target: string;
  inspect(options?: InspectOptions): Promise<TargetState>;
  stage(releaseId: string, artifactPath: string, sha256: string): Promise<StageResult>;
  switchTo(releaseId: string, fencingToken: number): Promise<SwitchResult>;
  run(command: string, options: RunOptions): Promise<RunResult>;
  /** Removes all but the newest `keep` releases, sparing current, the newest good one and `protect`; returns the removed ids. */
  prune(keep: number, protect: string[]): Promise<string[]>;
  /** Writes the release's mark and makes it durable before it resolves. */
  markRelease(releaseId: string, mark: ReleaseMark): Promise<void>;
  /**
   * `markRelease`, then `prune`, for the end of a committed deploy: each has
   * its own outcome (a failure is returned, not thrown), and the mark is
   * durable when this resolves. A transport may run both in one round trip.
   */
  markAndPrune(releaseId: string, mark: ReleaseMark, keep: number, protect: string[]): Promise<MarkAndPruneResult>;
  close(): Promise<void>;
}

export interface Transport {
  readonly kind: string;
  open(target: TargetRef): Promise<TargetSession>;
}

export const OUTPUT_TAIL_BYTES = 16 * 1024;
