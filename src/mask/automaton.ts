/**
 * An Aho-Corasick automaton over UTF-16 code units, built once from a set of
 * literal patterns, used by MaskStream to find every pattern in time linear in
 * the input whatever the number of patterns. Shallow states, where matching
 * spends most of its time, get a dense goto row with failure links already
 * folded in; deeper states keep their sorted children and follow failure
 * links. It only finds; it must never print, log or keep anything else.
 */

/** Entries of the dense goto table (Int32), 32 MiB at most. */
const DENSE_BUDGET = 1 << 23;
const ESC = 0x1b;
const STOP = -0x80000000;

export interface PatternSpec {
  text: string;
  /** True when a match of the whole text must be masked. */
  literal: boolean;
  /** Bitmask of scanner kinds this text starts (see scanners.ts), 0 for none. */
  trigger: number;
}

export class Automaton {
  /** Code unit -> character class; 0 for code units in no pattern. */
  readonly cls: Uint16Array;
  readonly classes: number;
  readonly denseCount: number;
  /**
   * The dense table as the hot loop reads it: the next state's row offset
   * (state * classes) when that state is dense and ends no pattern, else a
   * negative number (and always for ESC), which sends the loop to the slow path.
   */
  readonly fast: Int32Array;
  readonly childStart: Int32Array;
  readonly childCount: Int32Array;
  readonly nodeCls: Uint16Array;
  readonly fail: Int32Array;
  readonly depth: Int32Array;
  /** Length of the longest literal pattern that ends in this state, 0 for none. */
  readonly out: Int32Array;
  /** Scanner kinds started by a pattern that ends in this state. */
  readonly trig: Uint8Array;
  /** Non-zero when out or trig is: the one check the hot loop makes. */
  readonly hit: Uint8Array;
  readonly maxLiteral: number;

  constructor(patterns: PatternSpec[]) {
    const merged = new Map<string, { literal: boolean; trigger: number }>();
    for (const p of patterns) {
      if (p.text.length === 0) continue;
      const m = merged.get(p.text) ?? { literal: false, trigger: 0 };
      m.literal ||= p.literal;
      m.trigger |= p.trigger;
      merged.set(p.text, m);
    }
    const texts = [...merged.keys()].sort();

    const cls = new Uint16Array(65536);
    for (const t of texts) for (let i = 0; i < t.length; i++) cls[t.charCodeAt(i)] = 1;
    // ESC always has a class of its own, so the fast table can stop on it.
    cls[ESC] = 1;
    let classes = 1;
    for (let c = 0; c < 65536; c++) if (cls[c] !== 0) cls[c] = classes++;
    this.cls = cls;
    this.classes = classes;
    const escClass = cls[ESC];

    // Trie in insertion (DFS) order; sorted input keeps every child list sorted.
    const code: number[] = [0];
    const firstChild: number[] = [-1];
    const lastChild: number[] = [-1];
    const nextSibling: number[] = [-1];
    const termLen: number[] = [0];
    const termTrig: number[] = [0];
    const path: number[] = [0];
    let prev = '';
    let maxLiteral = 0;
    for (const t of texts) {
      let lcp = 0;
      while (lcp < t.length && lcp < prev.length && t.charCodeAt(lcp) === prev.charCodeAt(lcp)) lcp++;
      for (let j = lcp; j < t.length; j++) {
        const parent = path[j];
        const id = code.length;
        code.push(cls[t.charCodeAt(j)]);
        firstChild.push(-1);
        lastChild.push(-1);
        nextSibling.push(-1);
        termLen.push(0);
        termTrig.push(0);
        if (lastChild[parent] === -1) firstChild[parent] = id;
        else nextSibling[lastChild[parent]] = id;
        lastChild[parent] = id;
        path[j + 1] = id;
      }
      const end = path[t.length];
      const m = merged.get(t)!;
      if (m.literal) {
        termLen[end] = t.length;
        if (t.length > maxLiteral) maxLiteral = t.length;
      }
      termTrig[end] = m.trigger;
      prev = t;
    }
    this.maxLiteral = maxLiteral;

    // Renumber breadth-first: children become contiguous, depth never decreases.
    const n = code.length;
    const order = new Int32Array(n);
    const parentOf = new Int32Array(n);
    const childStart = new Int32Array(n);
    const childCount = new Int32Array(n);
    let tail = 1;
    for (let head = 0; head < n; head++) {
      const old = order[head];
      childStart[head] = tail;
      for (let ch = firstChild[old]; ch !== -1; ch = nextSibling[ch]) {
        order[tail] = ch;
        parentOf[tail] = head;
        tail++;
      }
      childCount[head] = tail - childStart[head];
    }
    const nodeCls = new Uint16Array(n);
    const depth = new Int32Array(n);
    const fail = new Int32Array(n);
    const out = new Int32Array(n);
    const trig = new Uint8Array(n);
    const hit = new Uint8Array(n);
    const denseCount = Math.min(n, Math.max(1, Math.floor(DENSE_BUDGET / classes)));
    // Built with plain next states, then encoded in place into `fast`.
    const dense = new Int32Array(denseCount * classes);
    this.childStart = childStart;
    this.childCount = childCount;
    this.nodeCls = nodeCls;
    this.fail = fail;
    this.denseCount = denseCount;
    this.fast = dense;
    this.depth = depth;
    this.out = out;
    this.trig = trig;
    this.hit = hit;

    for (let s = 0; s < n; s++) nodeCls[s] = code[order[s]];
    for (let s = 0; s < n; s++) {
      const old = order[s];
      if (s !== 0) {
        const p = parentOf[s];
        depth[s] = depth[p] + 1;
        fail[s] = p === 0 ? 0 : this.plainStep(dense, fail[p], nodeCls[s]);
      }
      out[s] = Math.max(termLen[old], out[fail[s]]);
      trig[s] = termTrig[old] | trig[fail[s]];
      hit[s] = out[s] !== 0 || trig[s] !== 0 ? 1 : 0;
      if (s < denseCount) {
        const row = s * classes;
        if (s !== 0) dense.copyWithin(row, fail[s] * classes, fail[s] * classes + classes);
        const end = childStart[s] + childCount[s];
        for (let ch = childStart[s]; ch < end; ch++) dense[row + code[order[ch]]] = ch;
      }
    }
    for (let k = 0; k < dense.length; k++) {
      const t = dense[k];
      dense[k] = t < denseCount && hit[t] === 0 ? t * classes : -(t + 1);
    }
    for (let row = 0; row < dense.length; row += classes) dense[row + escClass] = STOP;
  }

  /** step() while the dense table still holds plain next states (during construction). */
  private plainStep(dense: Int32Array, s: number, c: number): number {
    for (;;) {
      if (s < this.denseCount) return dense[s * this.classes + c];
      const child = this.child(s, c);
      if (child !== -1) return child;
      s = this.fail[s];
    }
  }

  private child(s: number, c: number): number {
    const { childStart, childCount, nodeCls } = this;
    let lo = childStart[s];
    let hi = lo + childCount[s] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = nodeCls[mid];
      if (x === c) return mid;
      if (x < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The state whose dense row starts at `row`. */
  stateOfRow(row: number): number {
    return row / this.classes;
  }

  /** The state after reading a code unit of class `c` in state `s`. */
  step(s: number, c: number): number {
    const { denseCount, fast, classes, fail } = this;
    for (;;) {
      if (s < denseCount) {
        const v = fast[s * classes + c];
        if (v >= 0) return v / classes;
        if (v !== STOP) return -v - 1;
      }
      const child = this.child(s, c);
      if (child !== -1) return child;
      if (s === 0) return 0;
      s = fail[s];
    }
  }
}
