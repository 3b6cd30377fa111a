/**
 * Names of everything pitcrew keeps under an environment's `path` on a target.
 * One place, so the transports, the engine and the docs agree. Paths here are
 * relative to the target root; the scripts in transports/target-script.ts
 * spell the same names (a test holds them together). This module must never
 * touch a filesystem.
 */

export const RELEASES_DIR = 'releases';
export const CURRENT_LINK = 'current';
export const SHARED_DIR = 'shared';
export const STATE_DIR = '.pitcrew';
export const FENCE_FILE = `${STATE_DIR}/fence`;
export const LOCK_FILE = `${STATE_DIR}/lock`;
/** Written inside each release folder once it is complete: id, digest, staging order (one past the highest on the target). */
export const RELEASE_META_FILE = '.pitcrew-release.json';
/** Inside each release folder: `good` or `bad`, written by markRelease. */
export const RELEASE_MARK_FILE = '.pitcrew-mark';
/** Infix of work-in-progress names: `releases/<id>.tmp-<random>`, `current.tmp-<random>`. */
export const TEMP_INFIX = '.tmp-';

export function releasePath(releaseId: string): string {
  return `${RELEASES_DIR}/${releaseId}`;
}

/** What `current` points at: relative, so the whole tree can be moved or mounted elsewhere. */
export function currentLinkTarget(releaseId: string): string {
  return releasePath(releaseId);
}
