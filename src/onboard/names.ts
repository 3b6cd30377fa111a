/**
 * Checks every value that onboarding writes into a systemd unit, a shell
 * script, a runner's .env or a generated YAML file. Those files are read by
 * root or by a shell, so a value outside a small alphabet is refused (exit 2)
 * rather than quoted; this module must never let a newline, a quote, a space
 * or a shell metacharacter through.
 */
import { UsageError } from '../errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const UNIT = /^[A-Za-z0-9][A-Za-z0-9:_.@-]*$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
// No `%` (a systemd specifier), `;`, quotes, `$` or spaces: the URL goes into ExecStart=.
const URL_CHARS = /^[A-Za-z0-9._~:/@=[\]-]+$/;

function refuse(what: string, value: string, rule: string, example: string): never {
  throw new UsageError(`${what} ${JSON.stringify(value)} is not allowed: ${rule}`, {
    code: 'onboard.unsafe-value',
    hint: `use a value such as ${example}`,
  });
}

/** A runner, environment or project name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function checkName(what: string, value: string): string {
  if (!NAME.test(value) || value.length > 64) refuse(what, value, 'only letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters', 'runner-1');
  return value;
}

export function checkUser(value: string): string {
  if (!USER.test(value)) refuse('--user', value, 'a system user name is lowercase letters, digits, "_" and "-", at most 32 characters', 'pitcrew-agent');
  if (value === 'root') refuse('--user', value, 'the agent must run as an unprivileged user, not root', 'pitcrew-agent');
  return value;
}

export function checkUnit(value: string): string {
  if (!UNIT.test(value) || value.length > 255) refuse('--service', value, 'a systemd unit name is letters, digits and : _ . @ -', 'actions.runner.acme-shop.runner-1.service');
  return value;
}

/** An absolute path without spaces, quotes or shell metacharacters. */
export function checkPath(what: string, value: string): string {
  if (!SAFE_PATH.test(value) || value.split('/').includes('..')) refuse(what, value, 'an absolute path of letters, digits and . _ / @ + - (no "..")', '/home/runner/actions-runner');
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

export function checkListen(value: string): string {
  const m = LISTEN.exec(value);
  const port = m === null ? 0 : Number(m[2]);
  if (m === null || port < 1 || port > 65535) refuse('--listen', value, 'expected host:port with a port from 1 to 65535', '127.0.0.1:9101');
  return value;
}

export function checkUrl(what: string, value: string): string {
  let ok = URL_CHARS.test(value);
  if (ok) {
    try {
      const u = new URL(value);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok) refuse(what, value, 'expected an http(s) URL of letters, digits and . _ ~ : / @ = [ ] - (no spaces, quotes, % or ;)', 'https://pitcrew.example.com');
  return value;
}
