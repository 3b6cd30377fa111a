/**
 * Which phase of a deploy a line of narration opens, read from the line's
 * fixed opening words (the engine's narration is the only input: the engine
 * knows nothing of groups). A line that opens no phase belongs to the current
 * one. Must never change or drop a line; it only classifies.
 */

/** `end`: the outcome line(s), printed outside any group so they stay visible. */
export type PhaseMark = { kind: 'phase'; title: string } | { kind: 'end' } | undefined;

const RULES: Array<[RegExp, (m: RegExpMatchArray) => string | null]> = [
  [/^(server mode|store-direct mode): /, () => 'lock and artifact'],
  [/^artifact .* verified: /, () => 'lock and artifact'],
  [/^(waiting for the lock on|lock on) \S+/, () => 'lock and artifact'],
  [/^deployment \S+ of \S+ (was committed|did not finish)/, () => 'recover unfinished deployment'],
  [/^dry run: /, () => 'dry run'],
  [/^staging \S+ on (\d+ targets?)$/, (m) => `stage on ${m[1]}`],
  [/^migrating on (\S+)$/, (m) => `migrate on ${m[1]}`],
  [/^switching batch (\d+\/\d+): /, (m) => `switch batch ${m[1]}`],
  [/^running (\d+ smoke tests?)$/, () => 'smoke tests'],
  [/^rolling back \d+ targets? of \S+ from /, () => 'rollback'],
  [/^(deployed \S+ to \d+ targets? of |deployed \S+, but recording|every target of \S+ is back on|INCIDENT: |stopping without touching anything else|nothing to recover on )/, () => null],
];

export function phaseOf(line: string): PhaseMark {
  for (const [re, title] of RULES) {
    const m = line.match(re);
    if (m === null) continue;
    const t = title(m);
    return t === null ? { kind: 'end' } : { kind: 'phase', title: t };
  }
  return undefined;
}
