#!/usr/bin/env bash
# test-all.sh: install what is missing, build, and run every test twice: once
# as built normally and once built with ASan+UBSan. Ends with the one line
#   N passed, N failed[, N skipped]
# and exits non-zero when anything failed (a build failure counts as one).
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
jobs=${SKY_MAKE_JOBS:-2}
limit=${SKY_CHECK_TIMEOUT:-2400}   # seconds per suite, so CI cannot hang

contrib/install-deps.sh || { echo "test-all: installing dependencies failed" >&2; echo "0 passed, 1 failed"; exit 1; }
./autogen.sh >/dev/null 2>&1 || { echo "test-all: autogen.sh failed" >&2; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0

# count BUILDDIR: add the results of the .trs files below BUILDDIR.
count() {
	local p f s
	p=$(find "$1" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null | grep -c -E ': (PASS|XFAIL)$')
	f=$(find "$1" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null | grep -c -E ': (FAIL|XPASS|ERROR)$')
	s=$(find "$1" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null | grep -c -E ': SKIP$')
	echo "test-all: $2: $p passed, $f failed, $s skipped" >&2
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# suite NAME BUILDDIR SRCDIR [configure args...]
suite() {
	local name=$1 bdir=$2 sdir=$3
	shift 3
	echo "test-all: == $name ==" >&2
	mkdir -p "$bdir"
	find "$bdir" -name '*.trs' -delete 2>/dev/null
	if ! (cd "$bdir" && "$sdir/configure" -q "$@" && make -s -j"$jobs" >/dev/null); then
		echo "test-all: $name: build failed" >&2
		failed=$((failed + 1))
		return
	fi
	(cd "$bdir" && timeout "$limit" make -s -j"$jobs" check) >"$bdir/check.out" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$bdir/check.out" >&2 || true
	if [ $rc -ne 0 ]; then
		echo "test-all: $name: make check exited $rc; failing logs:" >&2
		find "$bdir" -name '*.log' ! -name 'config.log' ! -name 'test-suite.log' -newer "$bdir/check.out" -print0 2>/dev/null |
			xargs -0 -r grep -l -E '^(not ok|# (FAIL|ERROR))' 2>/dev/null | while read -r l; do
				echo "---- $l" >&2; tail -n 60 "$l" >&2
			done
		[ $rc -eq 124 ] && { echo "test-all: $name: timed out after ${limit}s" >&2; failed=$((failed + 1)); }
	fi
	count "$bdir" "$name"
}

# The plain build lives in the source tree, like the README's demo build.
suite plain "$src" "$src"

# The sanitizer build needs its own copy of the sources: automake will not
# build out of tree from a configured source tree.
asan_src="$src/build/asan-src"
rm -rf "$asan_src"
mkdir -p "$asan_src"
git ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$asan_src")
(cd "$asan_src" && ./autogen.sh >/dev/null 2>&1)
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	suite sanitizers "$asan_src" "$asan_src" --enable-sanitizers

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
