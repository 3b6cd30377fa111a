/**
 * The files GitHub Actions reads after a step: $GITHUB_OUTPUT, $GITHUB_ENV and
 * $GITHUB_STEP_SUMMARY. Values are written in the runner's heredoc form with
 * a random delimiter so that no value can end its own entry early. An output
 * holding a secret is refused (outputs are shown in the UI and passed to other
 * jobs); a summary is masked and kept under the runner's 1 MiB limit.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, statSync } from 'node:fs';
import { ExitCode, UsageError } from '../../errors.js';
import { UnmaskedSecretError } from '../../mask/errors.js';
import type { SecretMasker } from '../../mask/masker.js';

/** The file operations used here, replaceable in tests. */
export interface FilePort {
  append(path: string, text: string): void;
  /** Size in bytes, 0 when the file does not exist. */
  size(path: string): number;
}

export const nodeFiles: FilePort = {
  append: (path, text) => appendFileSync(path, text, 'utf8'),
  size: (path) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  },
};

/** GitHub refuses a step summary above 1 MiB. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

export interface ActionsFilesOptions {
  env: Record<string, string | undefined>;
  masker: SecretMasker;
  files?: FilePort;
  delimiter?: () => string;
}

/** The `name<<DELIM\nvalue\nDELIM\n` entry, with a delimiter found in neither name nor value. */
export function heredocEntry(name: string, value: string, delimiter: () => string = () => `ghadelimiter_${randomUUID()}`): string {
  const delim = delimiter();
  if (name.includes(delim) || value.includes(delim)) {
    throw new UsageError(`cannot write "${name}": its name or value contains the delimiter`, { hint: 'run again: the delimiter is random' });
  }
  if (/[\r\n]/.test(name) || name.length === 0) {
    throw new UsageError(`invalid name ${JSON.stringify(name)} for $GITHUB_OUTPUT or $GITHUB_ENV: names are one non-empty line`);
  }
  return `${name}<<${delim}\n${value}\n${delim}\n`;
}

function fileFrom(env: Record<string, string | undefined>, variable: string): string {
  const path = env[variable];
  if (path === undefined || path === '') {
    throw new UsageError(`$${variable} is not set`, { code: 'github.env', hint: 'this only works inside a GitHub Actions step' });
  }
  return path;
}

/** Sets a step output. Refuses (UnmaskedSecretError, exit 2) a value that contains a registered secret. */
export function setOutput(name: string, value: string, opts: ActionsFilesOptions): void {
  opts.masker.assertNoSecret(name, `the name of step output "${opts.masker.mask(name)}"`, ExitCode.usage);
  if (opts.masker.containsSecret(value)) {
    throw new UnmaskedSecretError(`step output "${name}"`, {
      exitCode: ExitCode.usage,
      hint: 'outputs are shown in the workflow UI and passed to other jobs; pass the secret through secrets or $GITHUB_ENV instead',
    });
  }
  (opts.files ?? nodeFiles).append(fileFrom(opts.env, 'GITHUB_OUTPUT'), heredocEntry(name, value, opts.delimiter));
}

/** Exports an environment variable to later steps ($GITHUB_ENV). Values may be secrets: this file is not shown. */
export function exportVariable(name: string, value: string, opts: ActionsFilesOptions): void {
  (opts.files ?? nodeFiles).append(fileFrom(opts.env, 'GITHUB_ENV'), heredocEntry(name, value, opts.delimiter));
}

const SUMMARY_CUT = '\n\n*(summary truncated: GitHub keeps at most 1 MiB)*\n';

/**
 * Appends Markdown to the step summary, masked first, then cut so the file
 * stays under 1 MiB. Returns the number of bytes appended.
 */
export function appendStepSummary(markdown: string, opts: ActionsFilesOptions): number {
  const files = opts.files ?? nodeFiles;
  const path = fileFrom(opts.env, 'GITHUB_STEP_SUMMARY');
  let text = opts.masker.mask(markdown);
  const room = STEP_SUMMARY_MAX_BYTES - 1 - files.size(path);
  if (room <= 0) return 0;
  if (Buffer.byteLength(text, 'utf8') > room) {
    const cutBytes = room - Buffer.byteLength(SUMMARY_CUT, 'utf8');
    if (cutBytes <= 0) return 0;
    text = cutToBytes(text, cutBytes) + SUMMARY_CUT;
  }
  files.append(path, text);
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `max` bytes. */
function cutToBytes(s: string, max: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > max) break;
    bytes += n;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}
