/**
 * The one way the dashboard writes HTML: the `html` tagged template, which
 * escapes every interpolated value unless it is already an `Html` fragment
 * built the same way. Must never offer a way to splice unescaped text other
 * than `trusted`, which is for constants of this package only (never data).
 */

/** HTML known to be safe: built by `html` from escaped values. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes as the masker expects an HTML-escaped secret to look (src/mask/forms.ts), so masking after rendering finds it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/**
 * @example
 *   html`<td>${runner.name}</td>` // runner.name is escaped
 *   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` // nested fragments are kept
 */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A constant of this package (CSS, the page script) taken as is. Never pass data here. */
export function trusted(constant: string): Html {
  return new Html(constant);
}
