/**
 * Bearer-token authentication and permission checks of the HTTP API.
 *
 * Two kinds of token are accepted: those of `server.tokens` (values from the
 * environment) and those created with `pitcrew token create`, kept in the
 * store as SHA-256 hashes. Configured tokens are compared in constant time
 * against every one (no early exit). A stored token is looked up by its hash
 * on every request, so a revocation is effective at the next request; the
 * lookup's timing can only tell about the hash of what was sent, which gives
 * nothing towards a token, and the found hash is compared in constant time
 * again. What a role may do is in permissions.ts.
 *
 * Must never put a token value in an error, a log line or a metric; errors
 * name a token only by its name.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Role } from '../config/index.js';
import type { Store } from '../store/index.js';
import { ApiError } from './api-error.js';
import { hashToken } from './api-tokens.js';
import { allows, PERMISSIONS, rolesAllowed, type Permission } from './permissions.js';

/** A configured token with its value, resolved from the environment by the caller. */
export interface ApiToken {
  name: string;
  role: Role;
  value: string;
}

/** Who made a request. `anonymous` only while the server has no token at all (loopback only). */
export interface Principal {
  name: string;
  role: Role;
}

export const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

export interface Authenticator {
  /**
   * False while no token is configured and none was ever created in the
   * store: every request is then let in as admin. Once true it stays true
   * (stored tokens are never deleted, only revoked).
   */
  enabled(): Promise<boolean>;
  /**
   * The caller, or an ApiError: 401 without a valid bearer token (codes
   * `unauthenticated`, `token-revoked`, `token-expired`), 403 when its role
   * lacks `needed`.
   */
  authenticate(authorization: string | undefined | null, needed: Permission): Promise<Principal>;
}

export interface AuthDeps {
  tokens: readonly ApiToken[];
  store?: Pick<Store, 'findApiTokenByHash' | 'hasApiTokens'>;
  now?: () => number;
}

export function createAuthenticator(deps: AuthDeps): Authenticator {
  const now = deps.now ?? (() => Date.now());
  // Hash both sides so every comparison has the same length, whatever the token's.
  const known = deps.tokens.map((t) => ({ name: t.name, role: t.role, digest: Buffer.from(hashToken(t.value), 'hex') }));
  let enabled = known.length > 0;
  const isEnabled = async () => enabled || (enabled = (await deps.store?.hasApiTokens()) ?? false);

  const identify = async (presented: string): Promise<Principal> => {
    const hex = hashToken(presented);
    const given = Buffer.from(hex, 'hex');
    let match: Principal | undefined;
    for (const k of known) {
      if (timingSafeEqual(k.digest, given) && match === undefined) match = { name: k.name, role: k.role };
    }
    if (match) return match;
    const stored = await deps.store?.findApiTokenByHash(hex);
    if (stored && timingSafeEqual(Buffer.from(stored.hash, 'hex'), given)) {
      if (stored.revokedAt !== null) {
        throw new ApiError(401, 'token-revoked', `token ${stored.name} was revoked at ${new Date(stored.revokedAt).toISOString()}; ask an admin for a new one (pitcrew token create)`);
      }
      if (stored.expiresAt !== null && stored.expiresAt <= now()) {
        throw new ApiError(401, 'token-expired', `token ${stored.name} expired at ${new Date(stored.expiresAt).toISOString()}; ask an admin for a new one (pitcrew token create)`);
      }
      return { name: stored.name, role: stored.role as Role };
    }
    throw new ApiError(401, 'unauthenticated', 'the bearer token is neither one of server.tokens nor one made with pitcrew token create; check the token the client uses');
  };

  return {
    enabled: isEnabled,
    async authenticate(authorization, needed) {
      if (!(await isEnabled())) return ANONYMOUS;
      const presented = bearer(authorization);
      if (presented === undefined) {
        throw new ApiError(401, 'unauthenticated', 'missing bearer token: send Authorization: Bearer <token> (see server.tokens and pitcrew token create)');
      }
      const who = await identify(presented);
      if (!allows(who.role, needed)) {
        throw new ApiError(403, 'forbidden', `token ${who.name} has role ${who.role}, which may not ${PERMISSIONS[needed]}; roles that may: ${rolesAllowed(needed).join(', ')}`);
      }
      return who;
    },
  };
}

function bearer(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
