/**
 * Puts the secret masker in front of the process's output, once per
 * invocation and before any command runs: the secrets pitcrew reads from the
 * environment and `--token` are registered, warnings go to masked stderr, and
 * under GitHub Actions every form is announced with `::add-mask::`. Nothing
 * may write to the raw sinks after this except the add-mask announcer and
 * `reveal`, which prints a value the user asked to see once (a new API
 * token): the command registers it first, so it is masked everywhere else
 * (and announced to GitHub before it is printed), then reveals it on stdout.
 */
import { announceMasks, shouldAnnounceMasks } from '../github/actions/add-mask.js';
import { SecretMasker } from '../mask/masker.js';
import { lineTracking, maskedSink } from '../mask/sink.js';
import { registerEnvSecrets, tokenFromArgv, WELL_KNOWN_SECRET_ENV } from '../mask/sources.js';
import type { Env, Io } from './io.js';

export interface MaskedIo {
  io: Io;
  masker: SecretMasker;
  /** Writes out everything still held back; call before returning the exit code. */
  flush(): void;
  /**
   * Writes `text` to stdout unmasked, after everything stdout held back. Only
   * for a secret the command just made for the user to keep.
   */
  reveal(text: string): void;
}

export function setupMasking(argv: readonly string[], env: Env, raw: Io, masker = new SecretMasker()): MaskedIo {
  const rawErr = lineTracking(raw.stderr);
  if (shouldAnnounceMasks(env)) announceMasks(masker, rawErr);
  const stdout = maskedSink(raw.stdout, masker);
  const stderr = maskedSink(rawErr, masker);
  masker.onWarning((m) => stderr.write(`pitcrew: warning: ${m}\n`));
  for (const w of masker.warnings) stderr.write(`pitcrew: warning: ${w}\n`);
  registerEnvSecrets(masker, env, WELL_KNOWN_SECRET_ENV, false);
  masker.register(tokenFromArgv(argv), '--token');
  return {
    io: { ...raw, stdout, stderr },
    masker,
    flush: () => {
      stdout.flush();
      stderr.flush();
    },
    reveal: (text) => {
      stdout.flush();
      raw.stdout.write(text);
    },
  };
}
