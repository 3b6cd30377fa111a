/**
 * Tables that read on a phone: every cell carries its column's name, which
 * the stylesheet shows in front of the value when the table is stacked into
 * cards on narrow screens.
 */
import { html, type Html, type Part } from './html.js';

export interface Column<T> {
  label: string;
  cell(row: T): Part;
  /** Extra class for the cell (e.g. `num`). */
  cls?: string;
}

export function table<T>(caption: string, columns: readonly Column<T>[], rows: readonly T[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table class="cards">
<caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td data-label="${c.label}"${c.cls ? html` class="${c.cls}"` : ''}>${c.cell(r)}</td>`)}</tr>
`)}</tbody>
</table>`;
}

/** A coloured badge whose meaning is also in its text (never colour alone). */
export function badge(kind: string, text: string): Html {
  return html`<span class="badge b-${kind.replace(/[^a-z-]/g, '')}">${text}</span>`;
}
