/**
 * Secrets that are masked without being registered, found by small state
 * machines that run beside the automaton: GitHub tokens, private key blocks,
 * and the password of `scheme://user:password@host` URLs. Each one starts when
 * the automaton sees its trigger text, reports the span to mask, and says how
 * far back output must still be held. They never print or keep what they see.
 */

/** Receives a span [start, end] (absolute positions, inclusive) to mask. */
export type Recorder = (start: number, end: number) => void;

/** Trigger bits carried by the automaton's states. */
export const Trigger = { githubToken: 1, githubPat: 2, privateKey: 4, url: 8 } as const;

export const TRIGGERS: { text: string; trigger: number }[] = [
  ...['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'].map((text) => ({ text, trigger: Trigger.githubToken })),
  { text: 'github_pat_', trigger: Trigger.githubPat },
  { text: '-----BEGIN ', trigger: Trigger.privateKey },
  { text: '://', trigger: Trigger.url },
];

export interface Scanner {
  active: boolean;
  /** Feeds the code unit at absolute position `pos`. */
  feed(code: number, pos: number, rec: Recorder): void;
  /** First absolute position that must still be held back, Infinity when none. */
  hold(): number;
  /** The stream ended. */
  finish(rec: Recorder): void;
}

const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** `ghp_…`, `gho_…`, `ghs_…`, `ghu_…`, `ghr_…`, `github_pat_…`: prefix plus at least 16 token characters. */
export class GithubTokenScanner implements Scanner {
  static readonly MIN_BODY = 16;
  /** Beyond this many characters the span is masked at once and then extended, so holding stays bounded. */
  static readonly MAX_HELD = 255;
  active = false;
  private start = 0;
  private last = 0;
  private count = 0;
  private extending = false;

  begin(start: number, prefixEnd: number): void {
    if (this.active) return;
    this.active = true;
    this.start = start;
    this.last = prefixEnd;
    this.count = 0;
    this.extending = false;
  }

  feed(code: number, pos: number, rec: Recorder): void {
    if (isTokenChar(code)) {
      this.count++;
      this.last = pos;
      if (this.extending) rec(pos, pos);
      else if (pos - this.start >= GithubTokenScanner.MAX_HELD) {
        rec(this.start, pos);
        this.extending = true;
      }
      return;
    }
    this.finish(rec);
  }

  hold(): number {
    return this.active && !this.extending ? this.start : Infinity;
  }

  finish(rec: Recorder): void {
    if (this.active && !this.extending && this.count >= GithubTokenScanner.MIN_BODY) rec(this.start, this.last);
    this.active = false;
  }
}

const END_MARK = '-----END ';
const DASH = 45;
/** A key body longer than this ends at the next line break even without its END line. */
const MAX_KEY_BODY = 64 * 1024;

/** `-----BEGIN … PRIVATE KEY-----` through the closing dashes of its `-----END …-----` line. */
export class PrivateKeyScanner implements Scanner {
  active = false;
  private phase: 'header' | 'body' | 'end' = 'header';
  private start = 0;
  private header = '';
  private matched = 0;
  private body = 0;
  private dashes = 0;

  begin(start: number): void {
    if (this.active) return;
    this.active = true;
    this.phase = 'header';
    this.start = start;
    this.header = '';
  }

  feed(code: number, pos: number, rec: Recorder): void {
    if (this.phase === 'header') {
      if (code === 10 || code === 13 || this.header.length > 64) {
        this.active = false;
        return;
      }
      this.header += String.fromCharCode(code);
      if (!this.header.endsWith('-----')) return;
      if (!this.header.endsWith('PRIVATE KEY-----')) {
        this.active = false;
        return;
      }
      rec(this.start, pos);
      this.phase = 'body';
      this.matched = 0;
      this.body = 0;
      return;
    }
    if (this.phase === 'body') {
      if (++this.body > MAX_KEY_BODY && (code === 10 || code === 13)) {
        this.active = false;
        return;
      }
      rec(pos, pos);
      if (code === END_MARK.charCodeAt(this.matched)) this.matched++;
      else this.matched = code === DASH ? (this.matched === 5 ? 5 : 1) : 0;
      if (this.matched === END_MARK.length) {
        this.phase = 'end';
        this.dashes = 0;
      }
      return;
    }
    if (code === 10 || code === 13) {
      this.active = false;
      return;
    }
    rec(pos, pos);
    this.dashes = code === DASH ? this.dashes + 1 : 0;
    if (this.dashes === 5) this.active = false;
  }

  hold(): number {
    return this.active && this.phase === 'header' ? this.start : Infinity;
  }

  finish(): void {
    this.active = false;
  }
}

/** Characters that end a URL's user-info: whitespace, quotes, brackets and the authority's delimiters. */
const ends = new Set([...' \t\r\n/?#"\'<>`'].map((c) => c.charCodeAt(0)));
const COLON = 58;
const AT = 64;

/** The password of `scheme://user:password@host` (the user may be empty). */
export class UrlPasswordScanner implements Scanner {
  active = false;
  private inPassword = false;
  private begun = 0;
  private pwStart = 0;

  begin(pos: number): void {
    this.active = true;
    this.inPassword = false;
    this.begun = pos;
  }

  feed(code: number, pos: number, rec: Recorder): void {
    if (!this.inPassword) {
      if (code === COLON) {
        this.inPassword = true;
        this.pwStart = pos + 1;
      } else if (ends.has(code) || code === AT || pos - this.begun > 256) this.active = false;
      return;
    }
    if (code === AT) {
      if (pos > this.pwStart) rec(this.pwStart, pos - 1);
      this.active = false;
    } else if (ends.has(code) || pos - this.pwStart > 1024) this.active = false;
  }

  hold(): number {
    return this.active && this.inPassword ? this.pwStart : Infinity;
  }

  finish(): void {
    this.active = false;
  }
}
