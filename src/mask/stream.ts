/**
 * MaskStream: the stateful, streaming side of the masker. It takes chunks of
 * any size (strings, or Buffers decoded as UTF-8 across chunk boundaries) and
 * returns only text that cannot be the start of a secret; everything that
 * might be is held back until a later chunk settles it. Holding is bounded by
 * the longest registered form (or a scanner's bounded span), so a newline
 * releases everything unless a multi-line secret may have begun. ANSI CSI
 * sequences (colours) are invisible to matching, so a secret with colour codes
 * around parts of it is still found, and its span covers them. It must
 * never return a byte of a registered form or of a recognised token.
 */
import { StringDecoder } from 'node:string_decoder';
import { ESC, escapeEnd } from './ansi.js';
import type { Automaton } from './automaton.js';
import { GithubTokenScanner, PrivateKeyScanner, Trigger, UrlPasswordScanner, type Recorder } from './scanners.js';

export const MASK = '***';

/** Where a stream gets the current automaton; `version` changes when secrets are added. */
export interface AutomatonSource {
  readonly version: number;
  automaton(): Automaton;
}

export class MaskStream {
  private ac: Automaton;
  private version: number;
  private state = 0;
  /** Text not yet returned; buf[0] is at absolute position bufStart. */
  private buf = '';
  private bufStart = 0;
  /** Absolute position of the next code unit to feed (an unfinished escape sequence waits here). */
  private fed = 0;
  /** Escape sequences skipped in held text, as [start, end] pairs, oldest first. */
  private skipped: number[] = [];
  /** End of the last span already replaced by MASK; a span touching it extends it. */
  private starredEnd = -2;
  /** Spans found but not yet replaced, as sorted, disjoint [start, end] pairs. */
  private pending: number[] = [];
  private decoder = new StringDecoder('utf8');
  private readonly token = new GithubTokenScanner();
  private readonly key = new PrivateKeyScanner();
  private readonly url = new UrlPasswordScanner();
  private scanning = false;
  private readonly rec: Recorder = (s, e) => this.record(s, e);

  constructor(private readonly source: AutomatonSource) {
    this.ac = source.automaton();
    this.version = source.version;
  }

  /** Feeds a chunk; returns the masked text that is now safe to print. */
  write(chunk: string | Buffer): string {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return '';
    this.refresh();
    this.buf += text;
    this.feed(this.fed - this.bufStart, true, false);
    return this.emit(false);
  }

  /** Ends the stream: returns everything still held, masked. The stream can be written again afterwards. */
  end(): string {
    this.refresh();
    this.buf += this.decoder.end();
    this.feed(this.fed - this.bufStart, true, true);
    this.token.finish(this.rec);
    this.key.finish();
    this.url.finish();
    this.scanning = false;
    const out = this.emit(true);
    this.state = 0;
    this.starredEnd = -2;
    this.skipped = [];
    return out;
  }

  /** Secrets registered since the last chunk: rebuild and rescan the held text with every form. */
  private refresh(): void {
    if (this.source.version === this.version) return;
    this.ac = this.source.automaton();
    this.version = this.source.version;
    this.state = 0;
    const fed = this.fed;
    this.feed(Math.max(0, this.starredEnd + 1 - this.bufStart), false, false, fed - this.bufStart);
    this.fed = fed;
  }

  /**
   * Runs the automaton (and, when `withScanners`, the scanners) over buf from
   * index `from` to `to`. Stops before an escape sequence that has not ended
   * yet unless `final`.
   */
  private feed(from: number, withScanners: boolean, final: boolean, to = this.buf.length): void {
    const ac = this.ac;
    const { cls, fast, classes, denseCount, hit } = ac;
    const buf = this.buf;
    const base = this.bufStart;
    let s = this.state;
    let i = from;
    while (i < to) {
      if (s < denseCount && !(this.scanning && withScanners)) {
        // Hot loop: dense states that end no pattern, no scanner running.
        let row = s * classes;
        for (; i < to; i++) {
          const v = fast[row + cls[buf.charCodeAt(i)]];
          if (v < 0) break;
          row = v;
        }
        s = ac.stateOfRow(row);
        if (i >= to) break;
      }
      const code = buf.charCodeAt(i);
      if (code === ESC) {
        const end = escapeEnd(buf, i, to);
        if (end === -1 && !final) break;
        if (end > i) {
          this.skip(base + i, base + end);
          i = end + 1;
          continue;
        }
      }
      if (this.scanning && withScanners) this.feedScanners(code, base + i);
      const c = cls[code];
      s = c === 0 ? 0 : ac.step(s, c);
      if (hit[s] !== 0) this.onHit(s, base + i, withScanners);
      i++;
    }
    this.state = s;
    this.fed = base + i;
  }

  private skip(start: number, end: number): void {
    const k = this.skipped;
    if (k.length === 0 || k[k.length - 2] < start) k.push(start, end);
  }

  /** Absolute position where the last `len` fed (not skipped) code units ending at `end` begin. */
  private startOf(end: number, len: number): number {
    let start = end - len + 1;
    const k = this.skipped;
    for (let j = k.length - 2; j >= 0; j -= 2) {
      if (k[j + 1] > end) continue;
      if (k[j + 1] < start) break;
      start -= k[j + 1] - k[j] + 1;
    }
    return start;
  }

  private feedScanners(code: number, pos: number): void {
    if (this.token.active) this.token.feed(code, pos, this.rec);
    if (this.key.active) this.key.feed(code, pos, this.rec);
    if (this.url.active) this.url.feed(code, pos, this.rec);
    this.scanning = this.token.active || this.key.active || this.url.active;
  }

  private onHit(s: number, pos: number, withScanners: boolean): void {
    const len = this.ac.out[s];
    if (len !== 0) this.record(this.startOf(pos, len), pos);
    const t = this.ac.trig[s];
    if (t === 0 || !withScanners) return;
    if (t & Trigger.githubToken) this.token.begin(this.startOf(pos, 4), pos);
    if (t & Trigger.githubPat) this.token.begin(this.startOf(pos, 11), pos);
    if (t & Trigger.privateKey) this.key.begin(this.startOf(pos, 11));
    if (t & Trigger.url) this.url.begin(pos);
    this.scanning = true;
  }

  private record(start: number, end: number): void {
    const p = this.pending;
    if (start <= this.starredEnd + 1) {
      if (end <= this.starredEnd) return;
      this.starredEnd = end;
      while (p.length > 0 && p[0] <= this.starredEnd + 1) {
        if (p[1] > this.starredEnd) this.starredEnd = p[1];
        p.splice(0, 2);
      }
      return;
    }
    // Insert in order, then merge overlapping and touching spans.
    let i = p.length;
    while (i > 0 && p[i - 2] > start) i -= 2;
    p.splice(i, 0, start, end);
    let j = Math.max(0, i - 2);
    while (j + 2 < p.length) {
      if (p[j + 2] <= p[j + 1] + 1) {
        if (p[j + 3] > p[j + 1]) p[j + 1] = p[j + 3];
        p.splice(j + 2, 2);
      } else if (j > i) break;
      else j += 2;
    }
  }

  private emit(final: boolean): string {
    const end = this.bufStart + this.buf.length;
    const depth = this.ac.depth[this.state];
    let boundary = final ? end : depth === 0 ? this.fed : this.startOf(this.fed - 1, depth);
    if (!final) boundary = Math.min(boundary, this.token.hold(), this.key.hold(), this.url.hold());
    let p = Math.max(this.bufStart, this.starredEnd + 1);
    let out = '';
    const pend = this.pending;
    while (pend.length > 0 && pend[0] < boundary) {
      const [s, e] = pend.splice(0, 2);
      if (s > p) out += this.buf.slice(p - this.bufStart, s - this.bufStart);
      out += MASK;
      this.starredEnd = e;
      if (e + 1 > p) p = e + 1;
    }
    if (boundary > p) {
      out += this.buf.slice(p - this.bufStart, boundary - this.bufStart);
      p = boundary;
      // Never split a surrogate pair: its second half may still be held.
      const last = out.charCodeAt(out.length - 1);
      if (!final && last >= 0xd800 && last <= 0xdbff) {
        out = out.slice(0, -1);
        p--;
      }
    }
    if (p > end) p = end;
    this.buf = this.buf.slice(p - this.bufStart);
    this.bufStart = p;
    const k = this.skipped;
    while (k.length > 0 && k[1] < p) k.splice(0, 2);
    return out;
  }
}
