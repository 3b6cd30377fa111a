/**
 * The shape of API tokens made by `pitcrew token create` (and
 * `POST /api/v1/tokens`): `pcr_` and 64 hex digits (256 random bits), kept in
 * the store only as their SHA-256. Hex never contains `_`, so no part of a
 * token can look like a GitHub token to the masker's scanners. Must never
 * log or store a token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { tryParseDuration } from '../config/duration.js';

export const TOKEN_PREFIX = 'pcr_';

/** A fresh token and the hash the store keeps. */
export function newApiToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('hex');
  return { token, hash: hashToken(token) };
}

/** SHA-256 of the token, hex: what the store keeps and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What a token name may be: it appears in the audit log and in URLs. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const TOKEN_NAME_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters';

/** Milliseconds of an expiry such as `30d`, `12h`, `90m`; undefined when it is not a positive duration. */
export function expiryMs(text: string): number | undefined {
  const ms = tryParseDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}
