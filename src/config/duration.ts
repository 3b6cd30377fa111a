/**
 * Durations (`500ms`, `30s`, `15m`, `2h`, `1h30m`) and byte sizes (`2GiB`,
 * `500MB`) as written in pitcrew.yml. Parsed values are plain numbers: ms and
 * bytes. Never guess a unit: a bare number is not a duration.
 */
import { UsageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** The number of ms in `text`, or undefined when it is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    at = DURATION_PART.lastIndex;
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/**
 * Parses a duration into milliseconds.
 * @example parseDuration('1m30s') // 90000
 * @throws UsageError when `text` is not a duration.
 */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`not a duration: ${JSON.stringify(text)}`, {
      code: 'config.duration',
      hint: 'write a number followed by ms, s, m, h or d, e.g. 500ms, 30s, 15m, 2h, 1h30m',
    });
  }
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** The number of bytes in `text` (`2GiB`, `500MB`, `4096`), or undefined. */
export function tryParseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Parses a byte size: B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024).
 * @example parseSize('2GiB') // 2147483648
 * @throws UsageError when `text` is not a size.
 */
export function parseSize(text: string): number {
  const bytes = tryParseSize(text);
  if (bytes === undefined) {
    throw new UsageError(`not a size: ${JSON.stringify(text)}`, {
      code: 'config.size',
      hint: 'write a number followed by B, KB, MB, GB, TB, KiB, MiB, GiB or TiB, e.g. 2GiB',
    });
  }
  return bytes;
}
