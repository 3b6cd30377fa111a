/**
 * The PostgreSQL server the tests use (PITCREW_TEST_PG, else the machine's
 * 127.0.0.1:5432) and a short-lived admin connection to it, for creating and
 * dropping the databases a test works in.
 */
import pg from 'pg';

export const ADMIN_URL = process.env.PITCREW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `fn` on a new connection to the admin database and closes it afterwards. */
export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
