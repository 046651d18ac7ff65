#!/usr/bin/env bash
# checksrc.sh: the project's source rules, checked by machine (TAP output).
#   1. No sprintf, strcpy, strcat, strtok, system, gets in C sources.
#   2. Every source directory has a README.md.
#   3. Files past the soft size limit (1500 lines) are reported (not failed).
set -uo pipefail
src=${SKY_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1

files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h')
dirs="common slurmctld-sky slurmd-sky sbatch-sky spank conf contrib tests bench"
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

echo "1..3"
# The compiler strips comments (without expanding macros), sed the string
# literals, so prose that mentions a banned name does not count.
banned=$(for f in $files; do
	${CC:-cc} -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null | sed -e 's:"[^"]*"::g' |
		grep -nE '(^|[^_a-zA-Z0-9])(sprintf|strcpy|strcat|strtok|system|gets)[[:space:]]*\(' |
		sed "s|^|$f:|"
done)
if [ -z "$banned" ]; then ok "no banned libc calls"; else notok "banned libc calls"; echo "$banned" | sed 's/^/# /'; fi

missing=""
for d in $dirs; do [ -f "$d/README.md" ] || missing="$missing $d"; done
if [ -z "$missing" ]; then ok "every source directory has a README.md"; else notok "README.md missing in:$missing"; fi

long=$(for f in $files; do l=$(wc -l < "$f"); [ "$l" -gt 1500 ] && echo "$f ($l lines)"; done)
ok "file sizes checked"
[ -n "$long" ] && echo "$long" | sed 's/^/# warning: over the 1500-line soft limit: /'
exit $fail
