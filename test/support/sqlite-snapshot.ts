/**
 * Every row of every table of a SQLite file, each as one JSON line, for tests
 * that check a store was left as it was. Opens the file read-only beside the
 * store that has it open.
 */
import Database from 'better-sqlite3';

export type Snapshot = Map<string, string[]>;

export function snapshotTables(file: string): Snapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
    return new Map(tables.map(({ name }) => [name, (db.prepare(`SELECT * FROM "${name}"`).all() as object[]).map((row) => JSON.stringify(row))]));
  } finally {
    db.close();
  }
}

/** The rows of `before` (kept by `keep`) missing from `after`, byte for byte, as `table: row` lines. */
export function missingRows(before: Snapshot, after: Snapshot, keep: (table: string, row: Record<string, unknown>) => boolean = () => true): string[] {
  const missing: string[] = [];
  for (const [table, rows] of before) {
    const now = new Set(after.get(table) ?? []);
    for (const row of rows) if (keep(table, JSON.parse(row) as Record<string, unknown>) && !now.has(row)) missing.push(`${table}: ${row}`);
  }
  return missing;
}
