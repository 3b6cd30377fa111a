/**
 * The error thrown when text about to be kept or published still holds a
 * registered secret. It names where the text was going, never the secret.
 */
import { ExitCode, PitcrewError } from '../errors.js';

export class UnmaskedSecretError extends PitcrewError {
  /** Where the text was going, e.g. `journal event detail` or `step output "url"`. */
  readonly where: string;

  constructor(where: string, options?: { exitCode?: ExitCode; hint?: string }) {
    super('secret.unmasked', `refusing to write ${where}: it contains a registered secret`, options?.exitCode ?? ExitCode.internal, {
      hint: options?.hint ?? 'pass the text through the masker (SecretMasker.mask) first, or leave the secret out of it',
    });
    this.name = 'UnmaskedSecretError';
    this.where = where;
  }
}
