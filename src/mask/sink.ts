/**
 * Output sinks that mask by construction: whatever is written to a masked sink
 * reaches the underlying sink only through a MaskStream. Code that is handed a
 * masked sink cannot forget to mask. It must never write to the underlying
 * sink around the stream.
 */
import type { OutputSink } from '../cli/io.js';
import type { SecretMasker } from './masker.js';

export interface MaskedSink extends OutputSink {
  /** Writes everything still held back (masked); call before the process exits. */
  flush(): void;
}

export function maskedSink(sink: OutputSink, masker: SecretMasker): MaskedSink {
  const stream = masker.stream();
  return {
    write(text: string): void {
      const out = stream.write(text);
      if (out.length > 0) sink.write(out);
    },
    flush(): void {
      const out = stream.end();
      if (out.length > 0) sink.write(out);
    },
  };
}

/** A sink that remembers whether its output currently ends at the start of a line. */
export interface LineTrackingSink extends OutputSink {
  atLineStart(): boolean;
}

export function lineTracking(sink: OutputSink): LineTrackingSink {
  let atStart = true;
  return {
    write(text: string): void {
      if (text.length === 0) return;
      sink.write(text);
      atStart = text.endsWith('\n');
    },
    atLineStart: () => atStart,
  };
}
