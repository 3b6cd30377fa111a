/** Polls a condition until it holds or the deadline passes; tests never sleep to wait. */
export async function pollUntil<T>(check: () => T | undefined | Promise<T | undefined>, what: string, deadlineMs = 5000, everyMs = 10): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
