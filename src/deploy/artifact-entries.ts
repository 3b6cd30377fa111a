/**
 * The rules every entry of a release archive must follow so that unpacking it
 * can only create plain files, folders and links inside the release folder.
 * Links are judged on the whole archive at the end, because a later entry can
 * change where an earlier link leads. Pure: never touches a filesystem.
 */

export interface EntryHeader {
  path: string;
  type: string;
  linkpath?: string;
}

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const TYPE_NAMES: Record<string, string> = {
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
};
const MAX_LINK_HOPS = 40;
/** Names pitcrew writes inside a release folder; an archive must not bring its own. */
const RESERVED = new Set(['.pitcrew-release.json', '.pitcrew-mark']);

function parts(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** Problem with one entry on its own, or undefined. */
export function entryProblem(entry: EntryHeader): string | undefined {
  const name = JSON.stringify(entry.path);
  if (!ALLOWED.has(entry.type)) {
    const what = TYPE_NAMES[entry.type] ?? `of unsupported type ${entry.type}`;
    return `entry ${name} is ${what}; only files, folders and links inside the release are allowed`;
  }
  if (entry.path.startsWith('/') || /^[A-Za-z]:/.test(entry.path)) return `entry ${name} has an absolute path`;
  if (entry.path.split('/').includes('..')) return `entry ${name} has a ".." component`;
  const top = parts(entry.path);
  if (top.length === 1 && RESERVED.has(top[0])) return `entry ${name} uses a name pitcrew keeps for itself`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const kind = entry.type === 'Link' ? 'hardlink' : 'symlink';
    const target = entry.linkpath ?? '';
    if (target === '') return `${kind} ${name} has no target`;
    if (target.startsWith('/')) return `${kind} ${name} -> ${JSON.stringify(target)} leads outside the release (absolute target)`;
    if (entry.type === 'Link' && target.split('/').includes('..')) {
      return `hardlink ${name} -> ${JSON.stringify(target)} leads outside the release (".." in target)`;
    }
  }
  return undefined;
}

type Resolved = { at: string[] } | { problem: 'leaves the release' | 'loops' };

/** Resolves `target` from folder `base` through the archive's symlinks, as the kernel would once unpacked. */
function resolveInside(base: string[], target: string, links: Map<string, string>, hops: number): Resolved {
  if (target.startsWith('/')) return { problem: 'leaves the release' };
  if (hops > MAX_LINK_HOPS) return { problem: 'loops' };
  const at = [...base];
  for (const c of target.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (at.length === 0) return { problem: 'leaves the release' };
      at.pop();
      continue;
    }
    at.push(c);
    const link = links.get(at.join('/'));
    if (link !== undefined) {
      const next = resolveInside(at.slice(0, -1), link, links, hops + 1);
      if (!('at' in next)) return next;
      at.splice(0, at.length, ...next.at);
    }
  }
  return { at };
}

/** Collects entries and judges the links among them once the whole archive is known. */
export class EntryRules {
  private readonly symlinks = new Map<string, string>();
  private readonly seen = new Set<string>();
  private readonly entries: EntryHeader[] = [];

  /** Returns the problem with this entry, or undefined. */
  add(entry: EntryHeader): string | undefined {
    const problem = entryProblem(entry);
    if (problem !== undefined) return problem;
    const key = parts(entry.path).join('/');
    if (entry.type === 'Link') {
      const target = parts(entry.linkpath ?? '').join('/');
      if (!this.seen.has(target)) {
        return `hardlink ${JSON.stringify(entry.path)} -> ${JSON.stringify(entry.linkpath)} does not point to an earlier entry of the archive`;
      }
    }
    if (entry.type === 'SymbolicLink') this.symlinks.set(key, entry.linkpath ?? '');
    this.seen.add(key);
    this.entries.push({ ...entry, path: key });
    return undefined;
  }

  /** Problems only visible with the whole archive: links leading out, paths through links. */
  finish(): string | undefined {
    for (const e of this.entries) {
      const p = parts(e.path);
      for (let i = 1; i < p.length; i++) {
        const prefix = p.slice(0, i).join('/');
        if (this.symlinks.has(prefix)) return `entry ${JSON.stringify(e.path)} passes through symlink ${JSON.stringify(prefix)}`;
      }
      if (e.type === 'Link') {
        const t = parts(e.linkpath ?? '');
        for (let i = 1; i < t.length; i++) {
          const prefix = t.slice(0, i).join('/');
          if (this.symlinks.has(prefix)) return `hardlink ${JSON.stringify(e.path)} -> ${JSON.stringify(e.linkpath)} passes through symlink ${JSON.stringify(prefix)}`;
        }
      }
      if (e.type === 'SymbolicLink') {
        const resolved = resolveInside(p.slice(0, -1), e.linkpath ?? '', this.symlinks, 0);
        if ('problem' in resolved) {
          const how = resolved.problem === 'loops' ? 'loops through other symlinks' : 'leads outside the release';
          return `symlink ${JSON.stringify(e.path)} -> ${JSON.stringify(e.linkpath)} ${how}`;
        }
      }
    }
    return undefined;
  }

  get count(): number {
    return this.entries.length;
  }
}
