/**
 * The literal forms a secret can take in output: the value itself and the
 * encodings and escapes that tools commonly print it in. Every form is a plain
 * string matched literally; nothing here ever builds a regular expression from
 * a secret, and nothing here ever logs one.
 */

/** Secrets shorter than this (in characters) are not registered: they would mask ordinary text. */
export const MIN_SECRET_LENGTH = 4;

/** Every form of `value` worth masking, deduplicated, each at least MIN_SECRET_LENGTH long. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>();
  const add = (f: string): void => {
    if ([...f].length >= MIN_SECRET_LENGTH) forms.add(f);
  };
  for (const v of valueVariants(value)) {
    add(v);
    for (const f of base64Forms(v)) add(f);
    add(urlEncodeAll(v, true));
    add(urlEncodeAll(v, false));
    add(encodeURIComponent(v));
    add(jsonEscape(v));
    add(jsonEscapeAscii(v));
    add(v.replaceAll('"', '\\"'));
    for (const f of xmlEscapes(v)) add(f);
    add(v.replaceAll("'", "'\\''"));
    if (v.includes('"')) add(v.replaceAll('"', ''));
  }
  return [...forms];
}

/** The value, and for multi-line values its CRLF variant and each trimmed line. */
function valueVariants(value: string): string[] {
  if (!/[\r\n]/.test(value)) return [value];
  const lf = value.replaceAll('\r\n', '\n');
  const lines = lf
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => [...l].length >= MIN_SECRET_LENGTH);
  return [value, lf, lf.replaceAll('\n', '\r\n'), ...lines];
}

/**
 * base64 of the value at each of the three byte alignments it can have inside
 * a longer encoded input. For each alignment: the characters that depend on
 * the value alone (leading characters shared with preceding bytes and trailing
 * partial characters trimmed), and, for the value at the end of the input, the
 * full tail with its padding, and the full tail of the value followed by a
 * newline (`echo "$S" | base64`). Long encodings are also
 * registered wrapped at 76 columns, as base64(1) prints them.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = padded.toString('base64');
    const lead = offset === 0 ? 0 : offset === 1 ? 2 : 3;
    const stable = Math.floor((8 * padded.length) / 6);
    // echo "$S" | base64 encodes S and a newline: its tail is known too.
    const withNewline = Buffer.concat([padded, Buffer.from('\n')]).toString('base64');
    out.push(encoded.slice(lead, stable), encoded.slice(lead), withNewline.slice(lead));
    if (offset === 0 && encoded.length > 76) {
      out.push(wrap(encoded.slice(0, stable), 76), wrap(encoded, 76), wrap(withNewline, 76));
    }
  }
  return out;
}

function wrap(s: string, width: number): string {
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += width) lines.push(s.slice(i, i + width));
  return lines.join('\n');
}

/** Every UTF-8 byte as %XX. */
function urlEncodeAll(value: string, upper: boolean): string {
  let s = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const hex = b.toString(16).padStart(2, '0');
    s += '%' + (upper ? hex.toUpperCase() : hex);
  }
  return s;
}

function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** JSON escaping with every non-ASCII code unit as \uXXXX, as ensure_ascii encoders print it. */
function jsonEscapeAscii(value: string): string {
  return jsonEscape(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function xmlEscapes(value: string): string[] {
  const base = value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const withQuote = base.replaceAll('"', '&quot;');
  return [base, withQuote.replaceAll("'", '&#39;'), withQuote.replaceAll("'", '&#x27;'), withQuote.replaceAll("'", '&apos;')];
}
