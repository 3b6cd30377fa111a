import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { Env } from '../../src/cli/io.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pitcrew-${prefix}-`));
}

export async function cli(argv: string[], env: Env = {}, cwd?: string): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(cwd === undefined ? {} : { cwd });
  const code = await main(argv, env, io);
  return { code, out: io.out(), err: io.err() };
}
