#!/bin/sh
# Every fuzz target's seeds and regression corpus, replayed in the sanitizer
# build (tests/fuzz/replay/): what `make fuzz` starts from must be clean here
# too, and the regression families (the escaped NUL that made the config
# loader read past a scalar) stay covered by `make test`.
. "$HEADROOM_ROOT/tests/lib.sh"
R=$(dirname "$HEADROOM")/tests/fuzz/replay
C="$HEADROOM_ROOT/tests/fuzz/corpus"
F="$HEADROOM_ROOT/tests/fixtures"
[ -x "$R/replay_config" ] || { t_not_ok "replay programs built in $R"; t_done; }
export HR_FUZZ=fuzz-value

# replay NAME MIN ARGS...: the target runs over the inputs, at least MIN of them.
replay() {
	name=$1 min=$2
	shift 2
	if out=$("$R/replay_$name" "$@" 2>&1); then
		n=${out%% inputs*}
		n=${n##*[!0-9]}
		if [ "${n:-0}" -ge "$min" ]; then t_ok "fuzz_$name: $out, clean"; else t_not_ok "fuzz_$name: $out (want $min)"; fi
	else
		t_not_ok "fuzz_$name fails on its corpus"
		t_diag "$(echo "$out" | grep -E 'ERROR|SUMMARY|runtime error' | head -5)"
	fi
}

n_nul=$(ls "$C"/nul-*.yaml | wc -l)
t_check "the escaped-NUL family is in the config corpus ($n_nul files)" [ "$n_nul" -ge 7 ]
n_alias=$(ls "$C"/alias-*.yaml | wc -l)
t_check "the alias-amplification family is in the config corpus ($n_alias files)" [ "$n_alias" -ge 5 ]
set -- "$HEADROOM_ROOT"/examples/*.yaml "$HEADROOM_ROOT"/data/catalog/*.yaml "$C"/*.yaml
replay config "$#" "$@"
# Each NUL file alone says so in the config loader's words, without a crash.
for f in "$C"/nul-*.yaml; do
	t_run 2 "$HEADROOM" validate -f "$f" || true
	case "$T_ERR" in
	*"cannot hold a NUL character"*) t_ok "$(basename "$f"): refused with its location" ;;
	*) t_not_ok "$(basename "$f"): exit $T_STATUS"; t_diag "$T_ERR" ;;
	esac
done
replay http 4 "$C/http"
replay proc 4 $(find "$F/proc" -type f)
replay prom_json 4 "$F/prom"
replay redis 5 "$F/redis"
replay scaling_input 1 "$F/autoscale"
t_done
