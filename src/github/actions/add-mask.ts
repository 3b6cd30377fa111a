/**
 * Tells GitHub's own masker every form pitcrew masks, by printing
 * `::add-mask::` lines when running under GitHub Actions. These lines go to
 * the raw (unmasked) stderr sink: through our masker they would read
 * `::add-mask::***` and teach the runner nothing. stderr, because the runner
 * reads workflow commands from both streams and stdout may be captured by the
 * workflow (`x=$(pitcrew ...)`, `--json`). It must never write anything but
 * add-mask lines to the raw sink, and each starts at the beginning of a line.
 */
import type { SecretMasker } from '../../mask/masker.js';
import type { LineTrackingSink } from '../../mask/sink.js';
import { addMaskCommand } from './commands.js';

export function isGithubActions(env: Record<string, string | undefined>): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Announce under GitHub Actions unless PITCREW_ADD_MASK=false (e.g. when stderr is redirected to a file). */
export function shouldAnnounceMasks(env: Record<string, string | undefined>): boolean {
  return isGithubActions(env) && env.PITCREW_ADD_MASK !== 'false';
}

/** Prints add-mask lines for every form already registered and for every form registered later. */
export function announceMasks(masker: SecretMasker, raw: LineTrackingSink): void {
  const announce = (forms: string[]): void => {
    if (forms.length === 0) return;
    // A command is only recognised at the start of a line.
    const lead = raw.atLineStart() ? '' : '\n';
    raw.write(lead + forms.map((f) => addMaskCommand(f) + '\n').join(''));
  };
  announce(masker.forms());
  masker.onForms(announce);
}
