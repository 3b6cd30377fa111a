/**
 * From a key path to the YAML node it names and its line:column, and from a
 * key path to its printed form (`environments.production.targets[2].port`).
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = readonly (string | number)[];

export interface Located {
  /** The deepest node on the path that exists. */
  node: Node | null;
  /** The key node of the last pair walked through, when the path ended in a mapping. */
  keyNode: Node | null;
  /** True when every segment of the path was found. */
  complete: boolean;
}

export function locate(doc: Document, path: KeyPath): Located {
  let node = (doc.contents ?? null) as Node | null;
  let keyNode: Node | null = null;
  for (const seg of path) {
    if (isAlias(node)) node = (node.resolve(doc) ?? null) as Node | null;
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (pair) {
        keyNode = (pair.key ?? null) as Node | null;
        next = (pair.value ?? keyNode) as Node | null;
      }
    } else if (isSeq(node) && Number.isInteger(Number(seg))) {
      next = (node.items[Number(seg)] ?? undefined) as Node | undefined;
      keyNode = null;
    }
    if (next === undefined || next === null) return { node, keyNode: null, complete: false };
    node = next;
  }
  return { node, keyNode, complete: true };
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

export function position(node: Node | null, lineCounter: LineCounter): { line: number; column: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
