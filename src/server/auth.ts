/**
 * Bearer-token authentication and the role ladder of the HTTP API.
 *
 * Roles are ordered: viewer < deployer < agent < admin; a token may do what
 * its role and every lower role may do (docs/server.md lists what each role
 * is for). Tokens are compared in constant time against every configured
 * token (no early exit that would reveal which one was close). Must never put
 * a token value in an error, a log line or a metric; errors name the token
 * only by its configured name.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config/index.js';
import { ApiError } from './api-error.js';

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, deployer: 2, agent: 3, admin: 4 };

/** A configured token with its value, resolved from the environment by the caller. */
export interface ApiToken {
  name: string;
  role: Role;
  value: string;
}

/** Who made a request. `anonymous` only when the server has no tokens (loopback only). */
export interface Principal {
  name: string;
  role: Role;
}

export interface Authenticator {
  /** False when no tokens are configured: every request is let in as admin. */
  readonly enabled: boolean;
  /**
   * The caller, or an ApiError: 401 without a valid bearer token, 403 when
   * its role is below `needed`.
   */
  authenticate(authorization: string | undefined | null, needed: Role): Principal;
}

export function createAuthenticator(tokens: readonly ApiToken[]): Authenticator {
  // Hash both sides so every comparison has the same length, whatever the token's.
  const known = tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(t.value) }));
  return {
    enabled: known.length > 0,
    authenticate(authorization, needed) {
      if (known.length === 0) return { name: 'anonymous', role: 'admin' };
      const presented = bearer(authorization);
      if (presented === undefined) {
        throw new ApiError(401, 'unauthenticated', 'missing bearer token: send Authorization: Bearer <token> (see server.tokens in the configuration)');
      }
      const given = digest(presented);
      let match: (typeof known)[number] | undefined;
      for (const k of known) {
        if (timingSafeEqual(k.digest, given) && match === undefined) match = k;
      }
      if (!match) throw new ApiError(401, 'unauthenticated', 'the bearer token is not one of server.tokens; check the token the client uses');
      if (ROLE_RANK[match.role] < ROLE_RANK[needed]) {
        throw new ApiError(403, 'forbidden', `token ${match.name} has role ${match.role}; this needs ${needed} or higher`);
      }
      return { name: match.name, role: match.role };
    },
  };
}

function bearer(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
