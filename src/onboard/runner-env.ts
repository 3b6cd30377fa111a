/**
 * Sets a few keys in a GitHub Actions runner's `.env` (KEY=VALUE lines the
 * runner reads at start) without losing anything else there: other lines,
 * comments, blank lines, their order and the file's line endings stay as
 * they were. A key already set to the wanted value is left alone; a key set
 * to another value is replaced where it stands; a missing key is appended.
 * This module must never drop or reorder a line it does not own.
 */

export interface EnvEdit {
  content: string;
  /** Keys whose line was replaced or appended. */
  changed: string[];
}

function keyOf(line: string): string | undefined {
  const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
  return m === null ? undefined : m[1];
}

export function setEnvKeys(original: string, wanted: ReadonlyArray<readonly [string, string]>): EnvEdit {
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const endsWithEol = original.length === 0 || original.endsWith('\n');
  const lines = original.length === 0 ? [] : original.replace(/\r?\n$/, '').split(/\r?\n/);
  const want = new Map(wanted);
  const seen = new Set<string>();
  const changed = new Set<string>();
  const out = lines.map((line) => {
    const key = keyOf(line);
    if (key === undefined || !want.has(key)) return line;
    seen.add(key);
    const next = `${key}=${want.get(key)}`;
    if (line === next) return line;
    changed.add(key);
    return next;
  });
  for (const [key, value] of wanted) {
    if (seen.has(key)) continue;
    out.push(`${key}=${value}`);
    changed.add(key);
  }
  if (changed.size === 0) return { content: original, changed: [] };
  const body = out.join(eol);
  // Keep a file that had no final newline that way unless lines were appended after it.
  const appended = wanted.some(([k]) => !seen.has(k));
  return { content: endsWithEol || appended ? body + eol : body, changed: [...changed] };
}
