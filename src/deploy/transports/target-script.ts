/**
 * What happens on a target, as small POSIX sh scripts. Both transports run
 * exactly these: the local one through `sh -c`, the ssh one over its
 * connection. Arguments are always passed as positional parameters (`$1`...),
 * never pasted into the text, so no value can change what a script does.
 * Needs on the target: sh, GNU coreutils (mv -T, sync FILE, sha256sum), tar
 * with gzip, flock (util-linux), df. A script must never edit `current` in
 * place, never remove what `current` points at, and never move the fence down.
 */

/** A script and its arguments; the target root is always the first argument. */
export interface TargetScript {
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
put() { t="$1.tmp-$$"; if printf '%s\n' "$2" > "$t" && flush "$t" && mv -f "$t" "$1"; then flush "\${1%/*}"; else rm -f "$t"; die io "cannot write $1"; fi; }
lock() {
  need flock
  mkdir -p "$P/.pitcrew" || die io "cannot create $P/.pitcrew"
  exec 9>>"$P/.pitcrew/lock" || die io "cannot open $P/.pitcrew/lock"
  flock -w 30 9 || die busy "another pitcrew operation held $P/.pitcrew/lock for 30 s"
}
digest_of() { sed -n 's/^ *"sha256": *"\([0-9a-f]*\)".*/\1/p' "$1/.pitcrew-release.json" 2>/dev/null; }
seq_of() { sed -n 's/^ *"seq": *\([0-9]*\).*/\1/p' "$1/.pitcrew-release.json" 2>/dev/null; }
[ -d "$P" ] || die missing "target folder $P does not exist; create it (owned by the deploy user) first"
`;

const INSPECT = sh`
cur=$(readlink "$P/current" 2>/dev/null) && printf 'current %s\n' "\${cur#releases/}"
f=0; [ -f "$P/.pitcrew/fence" ] && f=$(cat "$P/.pitcrew/fence")
printf 'fence %s\n' "$f"
for d in "$P"/releases/*; do
  { [ -d "$d" ] && [ ! -L "$d" ]; } || continue
  n=\${d##*/}
  case $n in *.tmp-*) printf 'leftover releases/%s\n' "$n"; continue;; esac
  m=-; [ -f "$d/.pitcrew-mark" ] && m=$(cat "$d/.pitcrew-mark")
  s=$(digest_of "$d"); q=$(seq_of "$d")
  printf 'release %s %s %s %s\n' "$n" "\${s:--}" "\${q:-0}" "$m"
done
for l in "$P"/current.tmp-*; do
  [ -L "$l" ] || continue
  printf 'pending %s %s\n' "\${l##*/}" "$(readlink "$l")"
done
df -Pk "$P" 2>/dev/null | awk 'NR == 2 { printf "free %.0f\n", $4 * 1024 }'
`;

const STAGE = sh`
id=$1 art=$2 want=$3 sfx=$4
R="$P/releases" D="$P/releases/$1"
same_or_conflict() {
  have=$(digest_of "$D")
  [ "$have" = "$want" ] && { printf 'exists %s\n' "$id"; exit 0; }
  die conflict "releases/$id already exists with digest \${have:-unknown (not finished by pitcrew)}, not $want"
}
[ -e "$D" ] && same_or_conflict
need sha256sum; need tar
[ -f "$art" ] || die missing "artifact $art is not on the target"
got=$(sha256sum < "$art") || die io "cannot read $art"
got=\${got%% *}
[ "$got" = "$want" ] || die digest "artifact $art has digest $got, expected $want"
mkdir -p "$R" "$P/shared" || die io "cannot create $R"
T="$D.tmp-$sfx"
mkdir "$T" || die io "cannot create $T"
if ! e=$(tar -xzof "$art" -C "$T" 2>&1); then rm -rf "$T"; die unpack "cannot unpack $art: $e"; fi
lock
[ -e "$D" ] && { rm -rf "$T"; same_or_conflict; }
q=0; [ -f "$P/.pitcrew/seq" ] && q=$(cat "$P/.pitcrew/seq"); q=$((q + 1))
if ! printf '{\n  "releaseId": "%s",\n  "sha256": "%s",\n  "seq": %s,\n  "stagedAt": "%s"\n}\n' "$id" "$want" "$q" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$T/.pitcrew-release.json"; then
  rm -rf "$T"; die io "cannot write $T/.pitcrew-release.json"
fi
sync -f "$T" 2>/dev/null || sync
mv "$T" "$D" || { rm -rf "$T"; die io "cannot rename $T to $D"; }
put "$P/.pitcrew/seq" "$q"
flush "$R"
printf 'staged %s\n' "$id"
`;

const SWITCH = sh`
id=$1 tok=$2 sfx=$3
case $tok in ''|*[!0-9]*) die usage "fencing token $tok is not a non-negative integer";; esac
[ -f "$P/releases/$id/.pitcrew-release.json" ] || die missing "releases/$id is not staged on this target"
lock
f=0; [ -f "$P/.pitcrew/fence" ] && f=$(cat "$P/.pitcrew/fence")
case $f in ''|*[!0-9]*) die io "$P/.pitcrew/fence holds '$f', not a token; fix or remove it by hand";; esac
[ "$tok" -lt "$f" ] && die fence "$f"
[ "$tok" -gt "$f" ] && put "$P/.pitcrew/fence" "$tok"
prev=$(readlink "$P/current" 2>/dev/null) || prev=
rm -f "$P"/current.tmp-*
L="$P/current.tmp-$sfx"
ln -s "releases/$id" "$L" || die io "cannot create $L"
mv -Tf "$L" "$P/current" || { rm -f "$L"; die io "cannot rename $L over $P/current"; }
flush "$P"
printf 'previous %s\n' "\${prev#releases/}"
`;

const MARK = sh`
case $2 in good|bad) ;; *) die usage "mark $2 is not good or bad";; esac
[ -d "$P/releases/$1" ] || die missing "releases/$1 is not staged on this target"
put "$P/releases/$1/.pitcrew-mark" "$2"
`;

const REMOVE = sh`
lock
cur=$(readlink "$P/current" 2>/dev/null) || cur=
cur=\${cur#releases/}
for l in "$P"/releases/*.tmp-* "$P"/current.tmp-*; do
  { [ -e "$l" ] || [ -L "$l" ]; } && rm -rf "$l"
done
for id in "$@"; do
  [ "$id" = "$cur" ] && continue
  [ -d "$P/releases/$id" ] || continue
  g="$P/releases/$id.tmp-prune-$$"
  mv "$P/releases/$id" "$g" || die io "cannot move releases/$id aside"
  rm -rf "$g" || die io "cannot remove $g"
  printf 'removed %s\n' "$id"
done
flush "$P/releases"
`;

function script(body: string, root: string, args: string[]): TargetScript {
  return { text: PRELUDE + body, args: [root, ...args] };
}

export const targetScripts = {
  inspect: (root: string) => script(INSPECT, root, []),
  stage: (root: string, releaseId: string, artifact: string, sha256: string, suffix: string) =>
    script(STAGE, root, [releaseId, artifact, sha256, suffix]),
  switchTo: (root: string, releaseId: string, token: number, suffix: string) =>
    script(SWITCH, root, [releaseId, String(token), suffix]),
  mark: (root: string, releaseId: string, mark: string) => script(MARK, root, [releaseId, mark]),
  remove: (root: string, releaseIds: string[]) => script(REMOVE, root, releaseIds),
};

/** Quotes one word for a POSIX shell: for transports that must send a command line, not an argv. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
