/**
 * Typed errors of the ssh transport: a host key that does not match or is not
 * known, a refused login, a host that cannot be reached, a key that cannot be
 * read. Each names the target and host:port and says what to do next. They
 * must never carry a private key or a passphrase, not even in `cause`.
 */
import { ExitCode, PitcrewError } from '../../errors.js';

export interface SshWhere {
  target: string;
  host: string;
  port: number;
}

export abstract class SshError extends PitcrewError {
  readonly target: string;
  readonly host: string;
  readonly port: number;
  constructor(code: string, where: SshWhere, problem: string, exitCode: ExitCode, hint: string) {
    super(code, `target ${where.target} (${where.host}:${where.port}): ${problem}`, exitCode, { hint });
    this.target = where.target;
    this.host = where.host;
    this.port = where.port;
  }
}

/** The host presented a key that is not the configured one, or one no trusted entry names: exit 1. */
export class HostKeyError extends SshError {
  /** `SHA256:...` of the key the host presented. */
  readonly fingerprint: string;
  readonly reason: 'mismatch' | 'unknown' | 'revoked';
  constructor(where: SshWhere, reason: 'mismatch' | 'unknown' | 'revoked', fingerprint: string, problem: string, hint: string) {
    super(`ssh.host-key-${reason}`, where, problem, ExitCode.failed, hint);
    this.name = 'HostKeyError';
    this.reason = reason;
    this.fingerprint = fingerprint;
  }
}

/** The host refused every key offered for the user: exit 1. */
export class SshAuthError extends SshError {
  readonly user: string;
  constructor(where: SshWhere, user: string) {
    super('ssh.auth', where, `authentication as ${user} failed: the host refused the key`, ExitCode.failed,
      `check that the public key of the configured identityFile/privateKeyEnv is in ~${user}/.ssh/authorized_keys on ${where.host}, and that \`user\` is right`);
    this.name = 'SshAuthError';
    this.user = user;
  }
}

/** The host could not be reached (refused, timed out, no route, unknown name): exit 3. */
export class SshUnreachableError extends SshError {
  readonly reason: 'refused' | 'timeout' | 'unreachable' | 'closed';
  constructor(where: SshWhere, reason: 'refused' | 'timeout' | 'unreachable' | 'closed', detail: string) {
    const hints = {
      refused: `check that sshd runs on ${where.host} and listens on port ${where.port}`,
      timeout: `check that ${where.host}:${where.port} is reachable from here (firewall, VPN, address)`,
      unreachable: `check the host name and the network route to ${where.host}`,
      closed: 'the connection was lost; retry the deploy once the host is back',
    } as const;
    super(`ssh.${reason}`, where, detail, ExitCode.unavailable, hints[reason]);
    this.name = 'SshUnreachableError';
    this.reason = reason;
  }
}

/** The private key could not be read or decrypted: exit 2 (configuration). */
export class SshKeyError extends SshError {
  constructor(where: SshWhere, problem: string, hint: string) {
    super('ssh.key', where, problem, ExitCode.usage, hint);
    this.name = 'SshKeyError';
  }
}
