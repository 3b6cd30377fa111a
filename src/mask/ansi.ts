/**
 * ANSI escape sequences as the masker sees them: a CSI sequence (colours,
 * cursor moves) is skipped by matching so that colour codes inside a secret do
 * not hide it. It only measures sequences; it never changes text.
 */
export const ESC = 0x1b;

/**
 * Index of the last code unit of the ANSI CSI sequence (ESC [ params final)
 * starting at `i`; -1 when it has not ended before `to`; `i` when this ESC
 * does not start a CSI sequence.
 */
export function escapeEnd(buf: string, i: number, to: number): number {
  if (i + 1 >= to) return -1;
  if (buf.charCodeAt(i + 1) !== 0x5b) return i;
  for (let j = i + 2; j < to && j < i + 64; j++) {
    const c = buf.charCodeAt(j);
    if (c >= 0x40 && c <= 0x7e) return j;
    if (c < 0x20 || c > 0x3f) return i;
  }
  return to - i >= 64 ? i : -1;
}
