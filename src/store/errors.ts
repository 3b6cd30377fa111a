/**
 * Typed errors the store throws. Each carries its exit code and says what to do
 * next; none ever includes a connection password.
 */
import { ExitCode, PitcrewError, UnavailableError } from '../errors.js';

/**
 * A journal write carried a fencing token lower than the environment's highest
 * grant: the writer lost its lock and must not touch anything. Exit 3, like any
 * lock that is not (or no longer) available.
 */
export class StaleFencingTokenError extends UnavailableError {
  constructor(
    readonly environment: string,
    readonly fencingToken: number,
    readonly currentToken: number,
  ) {
    super(
      `fencing token ${fencingToken} for environment "${environment}" is stale: token ${currentToken} has been granted since`,
      { code: 'lock.stale-token', hint: 'this process lost the lock; stop, and let the current holder (or `pitcrew recover`) finish' },
    );
    this.name = 'StaleFencingTokenError';
  }
}

/**
 * The database was migrated by a newer pitcrew. Exit 2 (usage): nothing is
 * broken and no bug is involved; the user runs the wrong pitcrew version for
 * this database and fixes it by upgrading, so it is not an internal error (5).
 */
export class SchemaTooNewError extends PitcrewError {
  constructor(
    readonly where: string,
    readonly databaseVersion: string,
    readonly codeVersion: string,
    readonly unknownMigrations: string[],
  ) {
    super(
      'store.schema-newer',
      `the database at ${where} has schema version ${databaseVersion}, newer than this pitcrew knows (${codeVersion}); unknown migrations: ${unknownMigrations.join(', ')}`,
      ExitCode.usage,
      { hint: 'upgrade pitcrew to the version that migrated this database (or newer); this version will not touch it' },
    );
    this.name = 'SchemaTooNewError';
  }
}

/** A record the caller named does not exist. Exit 2: the caller passed a wrong id. */
export class StoreNotFoundError extends PitcrewError {
  constructor(kind: string, id: string) {
    super('store.not-found', `${kind} "${id}" does not exist in the store`, ExitCode.usage, {
      hint: `check the ${kind} id (list them with pitcrew's status commands)`,
    });
    this.name = 'StoreNotFoundError';
  }
}

/** A token that is not revoked already has this name. Exit 2: the caller picks another name or revokes the old token. */
export class ApiTokenExistsError extends PitcrewError {
  constructor(readonly tokenName: string) {
    super('token.exists', `a token named "${tokenName}" exists and is not revoked`, ExitCode.usage, {
      hint: `pick another name, or revoke the old token first: pitcrew token revoke ${tokenName}`,
    });
    this.name = 'ApiTokenExistsError';
  }
}
