#!/bin/sh
# Run every libFuzzer target in BUILDDIR for SECONDS each, seeded from the
# shipped examples, the price catalogue and tests/fuzz/corpus; keep the
# grown corpus in BUILDDIR/fuzz-corpus/TARGET between runs.
#
#   tests/fuzz/run.sh BUILDDIR SECONDS [TARGET...]
#
# With TARGET names (fuzz_config, fuzz_http, ...) only those run, so a
# machine with more cores can run several lanes at once.
#
# Prints one summary line per target and exits non-zero when one found a crash
# (its reproducer is left in BUILDDIR/fuzz-artifacts/).
set -u
B=${1:?usage: tests/fuzz/run.sh BUILDDIR SECONDS}
SECS=${2:-60}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
ONLY=" $* "
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$B" && pwd)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
unset PROM_TOKEN

seeds="$B/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$B/fuzz-artifacts"
for f in "$ROOT"/examples/*.yaml "$ROOT"/data/catalog/*.yaml "$ROOT"/tests/fuzz/corpus/*.yaml; do
	[ -f "$f" ] && cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# The live sources' parsers are seeded from their fixtures (/proc files,
# Prometheus replies, Redis INFO).
find "$ROOT/tests/fixtures" -type f | while read -r f; do
	cp "$f" "$seeds/fixture-$(echo "${f#"$ROOT"/tests/fixtures/}" | tr '/' '-')"
done

# A dictionary of every key the schema knows, from the program itself.
dict="$B/fuzz-config.dict"
{
	"$B/headroom" validate --keys | sed -n 's/^| `\([^`]*\)`.*/\1/p' | tr '.' '\n' |
		sed 's/\[\]$//' | grep -v '^NAME$' | sort -u | sed 's/.*/"&:"/'
	for t in ms s m h d 7d MiB GiB GB kB % /s /min /h /day /mo '$' USD EUR '${HR_FUZZ}' '$${' \
		'- ' '{' '}' '[' ']' '&a ' '*a' '<<: ' '---' '"' "'" '|' '>' '~' null true false above below \
		single ha cluster split single+ops app worker postgres redis server lb managed_db; do
		printf '"%s"\n' "$t" | sed 's/\\/\\\\/g'
	done
	echo '"\xE2\x82\xAC"' # the euro sign, escaped as libFuzzer dictionaries want
} >"$dict"

status=0
for t in "$B"/tests/fuzz/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	[ "$ONLY" = "  " ] || case "$ONLY" in *" $name "*) ;; *) continue ;; esac
	corpus="$B/fuzz-corpus/$name"
	mkdir -p "$corpus"
	log="$B/fuzz-$name.log"
	# A target with its own seeds (tests/fuzz/corpus/NAME/ for fuzz_NAME) uses
	# them and no dictionary; the rest share the YAML seeds and dictionary.
	own="$ROOT/tests/fuzz/corpus/${name#fuzz_}"
	if [ -d "$own" ]; then
		set -- "$own"
	else
		set -- "$seeds" -dict="$dict"
	fi
	"$t" "$corpus" "$@" -max_total_time="$SECS" -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$B/fuzz-artifacts/$name-" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "FAIL $name: exit $rc after ${execs:-?} runs; see $log"
		grep -E '^==[0-9]+==ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
	else
		echo "ok   $name: ${execs:-?} runs in ${SECS}s, $cov, corpus $(ls "$corpus" | wc -l) files, no crash"
	fi
done
exit $status
