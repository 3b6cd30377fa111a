/**
 * MaskStream: the stateful, streaming side of the masker. It takes chunks of
 * any size (strings, or Buffers decoded as UTF-8 across chunk boundaries) and
 * returns only text that cannot be the start of a secret; everything that
 * might be is held back until a later chunk settles it. Holding is bounded by
 * the longest registered form (or a scanner's bounded span), so a newline
 * releases everything unless a multi-line secret may have begun. It must
 * never return a byte of a registered form or of a recognised token.
 */
import { StringDecoder } from 'node:string_decoder';
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
    const from = this.buf.length;
    this.buf += text;
    this.feed(from, true);
    return this.emit(false);
  }

  /** Ends the stream: returns everything still held, masked. The stream can be written again afterwards. */
  end(): string {
    const rest = this.decoder.end();
    if (rest.length > 0) {
      this.refresh();
      const from = this.buf.length;
      this.buf += rest;
      this.feed(from, true);
    }
    this.token.finish(this.rec);
    this.key.finish();
    this.url.finish();
    this.scanning = false;
    const out = this.emit(true);
    this.state = 0;
    this.starredEnd = -2;
    return out;
  }

  /** Secrets registered since the last chunk: rebuild and rescan the held text with every form. */
  private refresh(): void {
    if (this.source.version === this.version) return;
    this.ac = this.source.automaton();
    this.version = this.source.version;
    this.state = 0;
    this.feed(Math.max(0, this.starredEnd + 1 - this.bufStart), false);
  }

  private feed(from: number, withScanners: boolean): void {
    const { cls, dense, denseCount, classes, hit } = this.ac;
    const ac = this.ac;
    const buf = this.buf;
    const base = this.bufStart;
    const n = buf.length;
    let s = this.state;
    for (let i = from; i < n; i++) {
      const code = buf.charCodeAt(i);
      if (this.scanning && withScanners) this.feedScanners(code, base + i);
      const c = cls[code];
      if (c === 0) {
        s = 0;
        continue;
      }
      s = s < denseCount ? dense[s * classes + c] : ac.step(s, c);
      if (hit[s] !== 0) this.onHit(s, base + i, withScanners);
    }
    this.state = s;
  }

  private feedScanners(code: number, pos: number): void {
    if (this.token.active) this.token.feed(code, pos, this.rec);
    if (this.key.active) this.key.feed(code, pos, this.rec);
    if (this.url.active) this.url.feed(code, pos, this.rec);
    this.scanning = this.token.active || this.key.active || this.url.active;
  }

  private onHit(s: number, pos: number, withScanners: boolean): void {
    const len = this.ac.out[s];
    if (len !== 0) this.record(pos - len + 1, pos);
    const t = this.ac.trig[s];
    if (t === 0 || !withScanners) return;
    if (t & Trigger.githubToken) this.token.begin(pos - 3, pos);
    if (t & Trigger.githubPat) this.token.begin(pos - 10, pos);
    if (t & Trigger.privateKey) this.key.begin(pos - 10);
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
    let boundary = final ? end : end - this.ac.depth[this.state];
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
    return out;
  }
}
