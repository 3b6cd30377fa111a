/**
 * What happens on a target, as small POSIX sh scripts. Both transports run
 * exactly these: the local one through `sh -c`, the ssh one as functions of
 * its script shell (ssh-shell.ts). Arguments are always passed as positional
 * parameters (`$1`...), never pasted into the text, so no value can change
 * what a script does. Needs on the target: sh, GNU coreutils (mv -T, sync
 * FILE, head -c; sha256sum for an artifact that is a file on the target),
 * tar with gzip, flock (util-linux); df and awk only for free space.
 * Builtins wherever they do: each process costs milliseconds on a small
 * host. A script must never edit `current` in place, never remove what
 * `current` points at, and never move the fence down; the order of writes
 * and syncs that keeps this true across a crash is in docs/deploy-model.md.
 */

export type ScriptName = 'inspect' | 'stage' | 'switch' | 'mark' | 'prune';

/**
 * How an upload's bytes encode the release (ssh): `gzip` is the .tar.gz as
 * verified, `tar` the tar inside it, which the deployer sends when gzip
 * shrank it too little to be worth a `gzip` process on every host.
 */
export type UploadEncoding = 'gzip' | 'tar';

/** A script and its arguments; the target root is always the first argument. */
export interface TargetScript {
  /** Which script: a long-lived shell that holds them all as functions calls it by name. */
  name: ScriptName;
  text: string;
  args: string[];
}

/**
 * Tag for script text: keeps backslashes as written (sed and printf need
 * them) and turns the escaped \${ that the template needs back into ${.
 */
function sh(strings: TemplateStringsArray): string {
  return strings.raw.join('').replaceAll('\\${', '${');
}

const PRELUDE = sh`set -u
P=$1; shift
die() { c=$1; shift; printf 'pitcrew-error %s %s\n' "$c" "$*" >&2; exit 3; }
need() { command -v "$1" >/dev/null 2>&1 || die missing-tool "$1 is not installed on the target"; }
flush() { sync "$@" 2>/dev/null || sync; }
lock() {
  need flock
  [ -d "$P/.pitcrew" ] || mkdir -p "$P/.pitcrew" || die io "cannot create $P/.pitcrew"
  exec 9>>"$P/.pitcrew/lock" || die io "cannot open $P/.pitcrew/lock"
  flock -w 30 9 || die busy "another pitcrew operation held $P/.pitcrew/lock for 30 s"
}
# The helpers below set variables instead of printing: no command substitution, no
# process. On a small host every process costs milliseconds, and inspect runs per release.
# meta DIR: s (digest) and q (staging order) from DIR/.pitcrew-release.json, empty when absent.
meta() {
  s= q=
  [ -f "$1/.pitcrew-release.json" ] || return 0
  while IFS= read -r l || [ -n "$l" ]; do
    case $l in
      *'"sha256": "'*) s=\${l#*'"sha256": "'}; s=\${s%%'"'*};;
      *'"seq": '*) q=\${l#*'"seq": '}; q=\${q%%[!0-9]*};;
    esac
  done < "$1/.pitcrew-release.json"
}
# first FILE: v is the file's first line, empty when there is no such file.
first() { v=; [ -f "$1" ] || return 0; IFS= read -r v < "$1" || :; }
# points LINK: r is what LINK points at, less a leading releases/; status 1 when LINK is no link.
points() {
  r=
  if cd -P "$1" 2>/dev/null; then
    r=\${PWD##*/}; cd /
    [ "$1" -ef "$P/releases/$r" ] && return 0
  fi
  [ -L "$1" ] || { r=; return 1; }
  r=$(readlink "$1") || return 1
  r=\${r#releases/}
}
[ -d "$P" ] || die missing "target folder $P does not exist; create it (owned by the deploy user) first"
`;

// $1 `free` to measure the free space too (df, two processes: only doctor asks).
const INSPECT = sh`
points "$P/current" && printf 'current %s\n' "$r"
first "$P/.pitcrew/fence"
printf 'fence %s\n' "\${v:-0}"
for d in "$P"/releases/*; do
  { [ -d "$d" ] && [ ! -L "$d" ]; } || continue
  n=\${d##*/}
  case $n in *.tmp-*) printf 'leftover releases/%s\n' "$n"; continue;; esac
  first "$d/.pitcrew-mark"; meta "$d"
  printf 'release %s %s %s %s\n' "$n" "\${s:--}" "\${q:-0}" "\${v:--}"
done
for l in "$P"/current.tmp-*; do
  [ -L "$l" ] || continue
  printf 'pending %s %s\n' "\${l##*/}" "$(readlink "$l")"
done
[ "\${1:-}" = free ] && df -Pk "$P" 2>/dev/null | awk 'NR == 2 { printf "free %.0f\n", $4 * 1024 }'
exit 0
`;

// $1 release id, $2 artifact on the target, $3 its sha256, $4 temp suffix, $5 UTC time of
// staging. With $6 and $7 (ssh), the artifact is no file ($2 is then empty) but the next $6
// bytes of stdin, in the encoding $7 (gzip: the .tar.gz itself; tar: the tar inside it), then
// a line with the artifact's sha256. The deployer sends that line only after bytes it hashed
// itself and found to be the verified artifact (or the tar it unpacked from exactly those),
// so the script unpacks them as they come and checks that the line arrived, not the digest.
const STAGE = sh`
id=$1 art=$2 want=$3 sfx=$4 at=$5 len=\${6:-} enc=\${7:-gzip}
case $len in *[!0-9]*) die usage "upload length $len is not a number of bytes";; esac
case $enc in gzip) z=z;; tar) z=;; *) die usage "upload encoding $enc is not gzip or tar";; esac
[ -n "$len" ] || [ "$enc" = gzip ] || die usage "an artifact file on the target is a .tar.gz, not $enc"
R="$P/releases" D="$P/releases/$1"
same_or_conflict() {
  meta "$D"
  [ "$s" = "$want" ] && { printf 'exists %s\n' "$id"; exit 0; }
  die conflict "releases/$id already exists with digest \${s:-unknown (not finished by pitcrew)}, not $want"
}
if [ -e "$D" ]; then
  # An upload not needed is still read to its end: the shell's next request follows it.
  [ -n "$len" ] && { head -c "$len" > /dev/null; IFS= read -r l || :; }
  same_or_conflict
fi
need tar
if [ -z "$len" ]; then
  need sha256sum
  [ -f "$art" ] || die missing "artifact $art is not on the target"
  got=$(sha256sum < "$art") || die io "cannot read $art"
  got=\${got%% *}
  [ "$got" = "$want" ] || die digest "artifact $art has digest $got, expected $want"
fi
{ [ -d "$R" ] && [ -d "$P/shared" ]; } || mkdir -p "$R" "$P/shared" || die io "cannot create $R"
T="$D.tmp-$sfx"
mkdir "$T" || die io "cannot create $T"
if [ -n "$len" ]; then
  # head stops at the upload's end (tar, or tar's gzip, would read on into the next request).
  # A stream cut short ends before the line: tar (and gzip's length and CRC) may catch a cut
  # inside the archive, the missing line catches a cut anywhere. tar -z, not gzip -dc | tar:
  # sh has no pipefail, and a CRC error gzip finds after the last entry would go unseen,
  # where tar -z fails on gzip's status (and a brace group to test it costs tar's fork back).
  if ! e=$(head -c "$len" | tar -x\${z}of - -C "$T" 2>&1); then rm -rf "$T"; die unpack "cannot unpack the upload: $e"; fi
  IFS= read -r l || l=
  [ "$l" = "$want" ] || { rm -rf "$T"; die upload "the upload ended before its $len bytes and digest line arrived"; }
elif ! e=$(tar -xzof "$art" -C "$T" 2>&1); then rm -rf "$T"; die unpack "cannot unpack $art: $e"; fi
[ -e "$D" ] && { rm -rf "$T"; same_or_conflict; }
# The staging order: one past the highest on the target, so the new release sorts after
# every release there, whatever prune removed.
top=0
for d in "$R"/*; do meta "$d"; [ "\${q:-0}" -gt "$top" ] && top=$q; done
q=$((top + 1))
if ! printf '{\n  "releaseId": "%s",\n  "sha256": "%s",\n  "seq": %s,\n  "stagedAt": "%s"\n}\n' "$id" "$want" "$q" "$at" > "$T/.pitcrew-release.json"; then
  rm -rf "$T"; die io "cannot write $T/.pitcrew-release.json"
fi
# syncfs makes the unpacked files and the release file durable before the rename publishes them.
sync -f "$T" 2>/dev/null || sync
# No lock: rename(2) will not replace a folder that has files, so of two stagers of
# one release the second finds the first's and answers as if it had been there.
# The rename itself is made durable by the switch (one fsync of releases/ with the fence):
# until a switch points current at it, a release lost to a power cut is only staged again.
if ! mv -T "$T" "$D" 2>/dev/null; then rm -rf "$T"; [ -e "$D" ] && same_or_conflict; die io "cannot rename $T to $D"; fi
printf 'staged %s\n' "$id"
`;

// Everything current's rename depends on is made durable by one fsync process before it:
// the fence, the release's own rename into releases/ (stage leaves that to here), and, for
// a new fence file, its entry in .pitcrew/ and that of .pitcrew/ (lock may have just made it). The fence is written in place, never shortened:
// a token only grows, so the new digits cover the old ones and the first line is the new
// token; a write of a few bytes at the start of a file lands whole or not at all (the
// sector-atomic write PostgreSQL relies on for pg_control), so a power cut leaves the old
// token or the new one, never an empty or a lower one.
const SWITCH = sh`
id=$1 tok=$2 sfx=$3
case $tok in ''|*[!0-9]*) die usage "fencing token $tok is not a non-negative integer";; esac
[ -f "$P/releases/$id/.pitcrew-release.json" ] || die missing "releases/$id is not staged on this target"
lock
F="$P/.pitcrew/fence"
first "$F"; f=\${v:-0}
case $f in *[!0-9]*) die io "$F holds '$f', not a token; fix or remove it by hand";; esac
[ "$tok" -lt "$f" ] && die fence "$f"
set -- "$P/releases"
if [ "$tok" -gt "$f" ]; then
  [ -f "$F" ] || set -- "$@" "$P/.pitcrew" "$P"
  printf '%s\n' "$tok" 1<> "$F" || die io "cannot write $F"
  set -- "$F" "$@"
fi
points "$P/current"; prev=$r
for l in "$P"/current.tmp-*; do { [ -e "$l" ] || [ -L "$l" ]; } && rm -f "$l"; done
L="$P/current.tmp-$sfx"
ln -s "releases/$id" "$L" || die io "cannot create $L"
flush "$@"
mv -Tf "$L" "$P/current" || { rm -f "$L"; die io "cannot rename $L over $P/current"; }
flush "$P"
printf 'previous %s\n' "$prev"
`;

// $1 release, $2 good or bad, $3 `later` to leave the sync to a prune that follows in the same
// request (its one sync covers the mark too) or, should that not get there, to the exit of the
// request's shell: either way the mark is durable before the request answers.
// Written in place and synced with its folder in one process: a mark torn by a crash reads as
// no mark, which rollback and prune treat like a release never judged.
const MARK = sh`
case $2 in good|bad) ;; *) die usage "mark $2 is not good or bad";; esac
case \${3:-} in ''|later) ;; *) die usage "mark $3 is not later";; esac
[ -d "$P/releases/$1" ] || die missing "releases/$1 is not staged on this target"
printf '%s\n' "$2" > "$P/releases/$1/.pitcrew-mark" || die io "cannot write $P/releases/$1/.pitcrew-mark"
if [ -n "\${3:-}" ]; then
  marked_file="$P/releases/$1/.pitcrew-mark" marked_dir="$P/releases/$1"
  trap 'flush "$marked_file" "$marked_dir"' EXIT
else
  flush "$P/releases/$1/.pitcrew-mark" "$P/releases/$1"
fi
printf 'marked %s %s\n' "$1" "$2"
`;

// $1 how many of the newest releases to keep, then releases to spare. The releases are chosen
// here, from what is there: all but the newest $1 by staging order (then id, byte by byte, as
// parseInspect sorts them), never current, never the newest release marked good other than
// current (a rollback's way back), never one named. Chosen once without the lock, so nothing
// to remove costs no flock and no sync, and again under it, which re-reads current.
const PRUNE = sh`
keep=$1; shift
case $keep in ''|*[!0-9]*) die usage "keep $keep is not a non-negative integer";; esac
# after Q1 ID1 Q2 ID2: status 0 when release ID1 (staging order Q1) sorts after release ID2.
after() { [ "$1" -gt "$3" ] || { [ "$1" -eq "$3" ] && [ "$2" \> "$4" ]; }; }
# leftovers: status 0 when a crashed stage or switch left a work name.
leftovers() {
  for l in "$P"/releases/*.tmp-* "$P"/current.tmp-*; do { [ -e "$l" ] || [ -L "$l" ]; } && return 0; done
  return 1
}
# choose ID...: gone is the releases to remove as "seq/id" words, sparing the IDs given.
choose() {
  points "$P/current"; cur=$r
  all= good= gq=0 gone=
  for d in "$P"/releases/*; do
    { [ -d "$d" ] && [ ! -L "$d" ]; } || continue
    i=\${d##*/}
    # Release ids only (release-id.ts): work names and folders pitcrew did not name are never pruned.
    case $i in
      *.tmp-*|*..*|*[!A-Za-z0-9._+~-]*|[!A-Za-z0-9]*) continue;;
      ?*-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
      *) continue;;
    esac
    [ \${#i} -le 77 ] || continue
    meta "$d"; first "$d/.pitcrew-mark"; q=\${q:-0}
    all="$all $q/$i"
    if [ "$v" = good ] && [ "$i" != "$cur" ] && { [ -z "$good" ] || after "$q" "$i" "$gq" "$good"; }; then good=$i gq=$q; fi
  done
  for e in $all; do
    q=\${e%%/*} i=\${e#*/} k=0
    for o in $all; do after "\${o%%/*}" "\${o#*/}" "$q" "$i" && k=$((k + 1)); done
    { [ "$k" -lt "$keep" ] || [ "$i" = "$cur" ] || [ "$i" = "$good" ]; } && continue
    for x in "$@"; do [ "$x" = "$i" ] && continue 2; done
    gone="$gone $e"
  done
}
choose "$@"
if [ -n "$gone" ] || leftovers; then
  lock
  for l in "$P"/releases/*.tmp-* "$P"/current.tmp-*; do
    { [ -e "$l" ] || [ -L "$l" ]; } && rm -rf "$l"
  done
  choose "$@"
  for e in $gone; do
    i=\${e#*/}
    [ -d "$P/releases/$i" ] || continue
    g="$P/releases/$i.tmp-prune-$$"
    mv "$P/releases/$i" "$g" || die io "cannot move releases/$i aside"
    rm -rf "$g" || die io "cannot remove $g"
    printf 'removed %s %s\n' "\${e%%/*}" "$i"
  done
  set -- "$P/releases"
else
  set --
fi
# One sync for the removals and a mark made just before (see MARK).
[ -n "\${marked_file:-}" ] && set -- "$@" "$marked_file" "$marked_dir"
[ $# -eq 0 ] || flush "$@"
trap - EXIT
`;

const BODIES: Record<ScriptName, string> = { inspect: INSPECT, stage: STAGE, switch: SWITCH, mark: MARK, prune: PRUNE };

function script(name: ScriptName, root: string, args: string[]): TargetScript {
  return { name, text: PRELUDE + BODIES[name], args: [root, ...args] };
}

export const targetScripts = {
  inspect: (root: string, free = false) => script('inspect', root, free ? ['free'] : []),
  /** With `upload`, the artifact comes on stdin: that many bytes in that encoding, then a line with its sha256 (`artifact` is ignored). */
  stage: (root: string, releaseId: string, artifact: string, sha256: string, suffix: string, stagedAt: Date, upload?: { bytes: number; encoding: UploadEncoding }) =>
    script('stage', root, [
      releaseId, upload === undefined ? artifact : '', sha256, suffix, stagedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(upload === undefined ? [] : [String(upload.bytes), upload.encoding]),
    ]),
  switchTo: (root: string, releaseId: string, token: number, suffix: string) =>
    script('switch', root, [releaseId, String(token), suffix]),
  /** With `later`, the sync is left to a prune in the same request, or to the request's end (see MARK). */
  mark: (root: string, releaseId: string, mark: string, later = false) => script('mark', root, [releaseId, mark, ...(later ? ['later'] : [])]),
  prune: (root: string, keep: number, protect: string[]) => script('prune', root, [String(keep), ...protect]),
};

/** The shell function a script is defined as in `scriptLibrary()`. */
export function functionName(name: ScriptName): string {
  return `pitcrew_${name}`;
}

/**
 * Every script as a shell function (`pitcrew_inspect` ...), for a shell that
 * runs many of them: it parses them once, and a call is one short line. A
 * function exits the shell it runs in, so each call needs a subshell.
 */
export function scriptLibrary(): string {
  return (Object.keys(BODIES) as ScriptName[]).map((name) => `${functionName(name)}() {\n${PRELUDE}${BODIES[name]}\n}\n`).join('');
}

/** Quotes one word for a POSIX shell: for transports that must send a command line, not an argv. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
