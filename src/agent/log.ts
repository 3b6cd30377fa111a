/**
 * One log line per event: a fixed message followed by key=value metadata, so
 * lines can be grouped by message and searched by key. Values with spaces or
 * quotes are JSON-quoted. It writes only to the sink it is given (the CLI's
 * masked stderr), never to the console.
 */
import type { OutputSink } from '../cli/io.js';

export type LogMeta = Record<string, string | number | boolean | undefined | null>;
export type Logger = (message: string, meta?: LogMeta) => void;

export function formatLogLine(message: string, meta: LogMeta = {}): string {
  const parts = [message];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)}`);
  }
  return parts.join(' ');
}

export function sinkLogger(sink: OutputSink, prefix = 'pitcrew agent: '): Logger {
  return (message, meta) => sink.write(`${prefix}${formatLogLine(message, meta)}\n`);
}
