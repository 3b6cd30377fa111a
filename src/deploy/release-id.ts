/**
 * Release ids: `<version>-<first 12 hex of the artifact's sha256>`. A release id
 * names a folder on every target and appears in shell commands, so versions are
 * held to a small safe alphabet. This module must never accept a version that
 * could leave `releases/` or be read as a shell option.
 */
import { UsageError } from '../errors.js';

export const DIGEST_PREFIX_LENGTH = 12;
export const MAX_VERSION_LENGTH = 64;
const SHA256 = /^[0-9a-f]{64}$/;
const VERSION_ALPHABET = /^[A-Za-z0-9._+~-]+$/;
const RELEASE_ID = /^([A-Za-z0-9][A-Za-z0-9._+~-]*)-([0-9a-f]{12})$/;

/** Why a version string is unusable as a folder name, or undefined when it is fine. */
export function versionProblem(version: string): string | undefined {
  if (version.length === 0) return 'it is empty';
  if (version.length > MAX_VERSION_LENGTH) return `it is longer than ${MAX_VERSION_LENGTH} characters`;
  if (version.includes('/')) return 'it contains "/"';
  if (version.includes('..')) return 'it contains ".."';
  if (/\s/.test(version)) return 'it contains whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(version)) return 'it contains a control character';
  if (!VERSION_ALPHABET.test(version)) return 'only letters, digits and . _ + ~ - are allowed';
  if (!/^[A-Za-z0-9]/.test(version)) return 'it must start with a letter or a digit';
  return undefined;
}

/** Throws a UsageError (exit 2) naming the problem when `version` is not safe for a folder name. */
export function validateVersion(version: string): string {
  const problem = versionProblem(version);
  if (problem !== undefined) {
    throw new UsageError(`version ${JSON.stringify(version)} cannot name a release: ${problem}`, {
      code: 'release.version-invalid',
      hint: 'use a version like 1.4.2, 2026.11.26-3 or v1.4.2+build.7',
    });
  }
  return version;
}

/** True for a lowercase 64-hex sha256 digest. */
export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

/**
 * The release id for an artifact.
 * @example releaseIdFor('1.4.2', 'ab12…') // '1.4.2-ab12cd34ef56'
 */
export function releaseIdFor(version: string, sha256: string): string {
  validateVersion(version);
  const digest = sha256.toLowerCase();
  if (!isSha256(digest)) {
    throw new UsageError(`sha256 ${JSON.stringify(sha256)} is not 64 hexadecimal digits`, { code: 'release.digest-invalid' });
  }
  return `${version}-${digest.slice(0, DIGEST_PREFIX_LENGTH)}`;
}

/** Splits a release id, or returns undefined for a name that is not one (temp folders, strays). */
export function parseReleaseId(id: string): { version: string; digestPrefix: string } | undefined {
  const m = RELEASE_ID.exec(id);
  if (m === null || versionProblem(m[1]) !== undefined) return undefined;
  return { version: m[1], digestPrefix: m[2] };
}

export function isReleaseId(id: string): boolean {
  return parseReleaseId(id) !== undefined;
}
