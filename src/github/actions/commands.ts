/**
 * GitHub Actions workflow commands (`::name key=value::data`), formatted and
 * escaped as the runner expects, with every message and property masked
 * before it is truncated or escaped. Escaping after masking matters: an
 * escaped secret no longer matches its registered forms. Nothing here writes
 * output; callers print the returned lines through their (masked) sinks.
 */
import type { SecretMasker } from '../../mask/masker.js';

/** Escapes command data: `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escapes a command property: as data, and also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** One workflow command line, without its trailing newline. */
export function formatCommand(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props.length > 0 ? ' ' + props : ''}::${escapeData(message)}`;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/** Longest annotation title and message kept; longer ones are cut after masking. */
export const ANNOTATION_TITLE_MAX = 255;
export const ANNOTATION_MESSAGE_MAX = 4096;

/** Cuts `s` to `max` characters, marking the cut; never splits a surrogate pair. */
export function truncate(s: string, max: number, marker = '…'): string {
  if (s.length <= max) return s;
  let cut = max - marker.length;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return s.slice(0, cut) + marker;
}

/** An `::error`/`::warning`/`::notice` line; message, title and file are masked, then truncated, then escaped. */
export function annotation(masker: SecretMasker, level: AnnotationLevel, message: string, props: AnnotationProperties = {}): string {
  const title = props.title === undefined ? undefined : truncate(masker.mask(props.title), ANNOTATION_TITLE_MAX);
  return formatCommand(
    level,
    {
      title,
      file: props.file === undefined ? undefined : masker.mask(props.file),
      line: props.line,
      endLine: props.endLine,
      col: props.col,
      endColumn: props.endColumn,
    },
    truncate(masker.mask(message), ANNOTATION_MESSAGE_MAX),
  );
}

/** The `::add-mask::` line for one value. */
export function addMaskCommand(value: string): string {
  return `::add-mask::${escapeData(value)}`;
}
