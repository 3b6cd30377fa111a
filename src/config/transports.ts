/**
 * Transports and the targets each one reaches, in a registry from transport
 * name to target schema: `ssh` targets are hosts, `local` targets are folders
 * on this machine. An unknown transport is answered with the valid ones.
 */
import { z } from 'zod';
import { envName, int, name, strictObject, text } from './fields.js';

const sshTarget = strictObject({
  /** Defaults to `host:port`. */
  name: name().optional(),
  host: text(),
  port: int(1, 65535).default(22),
  user: text(),
  /** The host's public key as in known_hosts, e.g. `ssh-ed25519 AAAA...`. */
  hostKey: z
    .string()
    .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}$/, {
      message: 'expected a public key such as `ssh-ed25519 AAAA...`',
    })
    .optional(),
  /** A known_hosts file holding the host's key. */
  knownHostsFile: text().optional(),
  identityFile: text().optional(),
  /** Variable holding the private key itself (a secret). */
  privateKeyEnv: envName().optional(),
  /** Variable holding the private key's passphrase (a secret). */
  passphraseEnv: envName().optional(),
}).superRefine((t, ctx) => {
  if (t.hostKey === undefined && t.knownHostsFile === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'needs `hostKey` or `knownHostsFile`: pitcrew never trusts a host key on first use',
      params: { message: 'needs `hostKey` or `knownHostsFile`: pitcrew never trusts a host key on first use' },
    });
  }
  if (t.identityFile !== undefined && t.privateKeyEnv !== undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['privateKeyEnv'],
      message: 'give only one of `identityFile` and `privateKeyEnv`',
      params: { message: 'give only one of `identityFile` and `privateKeyEnv`' },
    });
  }
});

const localTarget = strictObject({
  /** Defaults to the folder. */
  name: name().optional(),
  /** The folder that holds `releases/` and `current`. */
  folder: text(),
});

export type SshTarget = z.output<typeof sshTarget>;
export type LocalTarget = z.output<typeof localTarget>;

/** What each transport adds to an environment besides its targets. */
export const transports = {
  ssh: {
    target: sshTarget,
    fields: {
      /** Absolute path on each host holding `releases/`, `current` and `shared/`. */
      path: z.string().regex(/^\//, { message: 'expected an absolute path such as /srv/shop' }),
    },
  },
  local: { target: localTarget, fields: {} },
} as const;

export type TransportName = keyof typeof transports;
