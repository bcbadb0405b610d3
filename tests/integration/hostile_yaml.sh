#!/bin/sh
# Hostile YAML: what aliases, merge keys and `extends` copy is bounded by the
# file's size (4 times it, at least 1 MiB), checked before the copy, so a
# 1 MB file cannot ask for 1.5 GB; the error is one located line, exit 2
# (3, UNKNOWN, for check), and the peak memory stays small. Bytes the YAML
# reader refuses (NUL, invalid UTF-8) are reported at their own line and
# column, not at 1:1.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
unset PROM_TOKEN

# peak_kb FILE CMD...: run CMD (stdout and stderr to FILE.out/.err, status to
# FILE.rc) and write its peak resident set in KiB to FILE: GNU time when
# installed, else python's resource module.
peak_kb() {
	f=$1
	shift
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -o "$f.time" -f %M "$@" >"$f.out" 2>"$f.err"
		echo $? >"$f.rc"
		tail -n 1 "$f.time" >"$f"
	else
		python3 - "$f" "$@" <<'EOF'
import resource, subprocess, sys
f = sys.argv[1]
with open(f + ".out", "w") as o, open(f + ".err", "w") as e:
    rc = subprocess.run(sys.argv[2:], stdout=o, stderr=e).returncode
open(f + ".rc", "w").write("%d\n" % rc)
open(f, "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
	fi
}

# under_kb NAME FILE MAX: the peak peak_kb wrote is under MAX KiB.
under_kb() {
	kb=$(cat "$2")
	if [ "${kb:-0}" -gt 0 ] && [ "$kb" -lt "$3" ]; then
		t_ok "$1: peak RSS $kb KiB"
	else
		t_not_ok "$1: peak RSS ${kb:-?} KiB, want under $3"
	fi
}

# same_err TEXT NAME: stderr of the last t_expect is exactly TEXT.
same_err() {
	if [ "$T_ERR" = "$1" ]; then
		t_ok "$2"
	else
		t_not_ok "$2"
		t_diag "want: $1"
		t_diag "got:  $T_ERR"
	fi
}

# --- a 1 MiB string aliased 1,500 times ----------------------------------
python3 - <<'EOF'
s = "x-b: &b '" + "a" * (1 << 20) + "'\n"
s += "x-l: [" + ", ".join(["*b"] * 1500) + "]\n"
open("bomb.yaml", "w").write(s)
EOF
size=$(wc -c <bomb.yaml)
cap=$((size * 4))
bomb_err="bomb.yaml:2:23: error: aliases and merge keys would copy 5242880 bytes with *b, more than the $cap this file may expand to (4 times its size, at least 1 MiB)"
peak_kb bomb.kb "$HEADROOM" validate -f bomb.yaml
t_check "validate: the alias bomb ($size bytes) exits 2" [ "$(cat bomb.kb.rc)" = 2 ]
t_contains "validate: one located error at the fifth alias" "$(head -n 1 bomb.kb.err)" "$bomb_err"
t_check "validate: prints nothing on stdout" [ ! -s bomb.kb.out ]
under_kb "validate: the alias bomb" bomb.kb 100000

t_expect "check: the alias bomb is UNKNOWN (exit 3)" 3 "$HEADROOM" check -f bomb.yaml --no-history
t_contains "check: the same located error" "$T_ERR" "$bomb_err"
t_expect "agent: refuses the alias bomb (exit 2)" 2 timeout 60 "$HEADROOM" agent -f bomb.yaml --store agent.db --listen "127.0.0.1:$(t_free_port)"
t_contains "agent: the same located error" "$T_ERR" "$bomb_err"

# Under a 1 GB address-space limit, as the reporter ran it. A sanitizer
# build reserves terabytes of shadow memory and cannot start there at all.
# (sh -c, so that the shell's own "Aborted" for such a build stays quiet.)
if sh -c 'ulimit -v 1000000 && exec "$0" --version' "$HEADROOM" >/dev/null 2>&1; then
	for cmd in validate "check --no-history" "agent --store agent.db --listen 127.0.0.1:$(t_free_port)"; do
		timeout 60 sh -c 'ulimit -v 1000000 && exec "$0" '"$cmd"' -f bomb.yaml' "$HEADROOM" >ulimit.out 2>ulimit.err
		rc=$?
		bomb_rc=2
		[ "$cmd" = "check --no-history" ] && bomb_rc=3
		t_check "${cmd%% *} under ulimit -v 1000000: exit $bomb_rc, not SIGABRT (got $rc)" [ "$rc" -eq "$bomb_rc" ]
		t_contains "${cmd%% *} under ulimit -v 1000000: the located error" "$(head -n 1 ulimit.err)" "$bomb_err"
	done
else
	t_skip "validate under ulimit -v 1000000 (this build cannot start under it: sanitizer shadow memory)"
fi

# --- the same through merge keys in a compose file -------------------------
# 2,000 services each merging a 100 KB mapping: 200 MB asked for.
python3 - <<'EOF'
m = "x-base: &base\n" + "".join('  k%d: "%s"\n' % (i, "v" * 10000) for i in range(10))
m += "services:\n" + "".join("  s%d:\n    image: nginx\n    <<: *base\n" % i for i in range(2000))
open("compose.yaml", "w").write(m)
EOF
peak_kb compose.kb "$HEADROOM" init --from compose.yaml -o out.yaml --cpus 4 --memory 8GiB --disk 100GiB
t_check "init --from: 2,000 services merging 100 KB exit 2" [ "$(cat compose.kb.rc)" = 2 ]
t_contains "init --from: one located error at the alias that passes the cap" "$(cat compose.kb.err)" \
	"compose.yaml:45:9: error: aliases and merge keys would copy 1100220 bytes with *base, more than the 1048576 this file may expand to (4 times its size, at least 1 MiB)"
t_check "init --from: no more than that one error" [ "$(wc -l <compose.kb.err)" -eq 1 ]
t_check "init --from: nothing written" [ ! -e out.yaml ]
under_kb "init --from: 2,000 merges" compose.kb 100000

# The merged mapping written in place, or named by an anchor, still works
# within the budget: a shared block of 2 KB merged into 100 services.
python3 - <<'EOF'
m = "x-env: &env\n  restart: always\n  environment:\n" + "".join('    K%d: "%s"\n' % (i, "v" * 100) for i in range(20))
m += "services:\n  web:\n    image: nginx\n    <<: *env\n"
m += "".join("  w%d:\n    image: python:3.12\n    command: celery -A app worker\n    <<: [*env, {scale: 1}]\n" % i
             for i in range(99))
open("shared.yaml", "w").write(m)
EOF
t_expect "init --from: 100 services merging a 2 KB block are fine" 0 \
	"$HEADROOM" init --from shared.yaml -o shared-out.yaml --cpus 4 --memory 8GiB --disk 100GiB

# --- extends: a base read again for each service that extends it -----------
python3 - <<'EOF'
m = "services:\n  base:\n    image: python:3.12\n    command: \"" + "x " * 500000 + "\"\n"
m += "".join("  s%d:\n    extends: base\n" % i for i in range(499))
open("extends.yaml", "w").write(m)
EOF
peak_kb extends.kb "$HEADROOM" init --from extends.yaml -o ext-out.yaml --cpus 4 --memory 8GiB --disk 100GiB
t_check "init --from: 499 services extending a 1 MB command exit 2" [ "$(cat extends.kb.rc)" = 2 ]
t_contains "init --from: the extends that passes the budget is named" "$(head -n 1 extends.kb.err)" \
	"extends.yaml:14:14: error: services.s4.extends: services extending others would copy 5000155 bytes, more than the $(($(wc -c <extends.yaml) * 4)) these files may expand to (4 times their size, at least 1 MiB)"
under_kb "init --from: 499 extends" extends.kb 100000

# --- NUL and invalid UTF-8, located at their line ---------------------------
printf 'agent:\n  interval: 15s\n  listen: "127.0.0.1\000:9870"\n' >nul.yaml
t_expect "a NUL byte on line 3: exit 2" 2 "$HEADROOM" validate --no-catalog -f nul.yaml
same_err "nul.yaml:3:21: error: invalid YAML: control characters are not allowed (U+0000)" \
	"a NUL byte is reported at 3:21"
printf '# caf\303\251\nagent:\n  listen: "127.0.0.1:\377"\n' >utf8.yaml
t_expect "an invalid UTF-8 byte on line 3: exit 2" 2 "$HEADROOM" validate --no-catalog -f utf8.yaml
same_err "utf8.yaml:3:22: error: invalid YAML: invalid leading UTF-8 octet (byte 0xFF)" \
	"an invalid UTF-8 byte is reported at 3:22"
printf 'h\303\251: 1\nagent:\n  t\303\251: "\342\202"\n' >cut.yaml
t_expect "a cut UTF-8 sequence on line 3: exit 2" 2 "$HEADROOM" validate --no-catalog -f cut.yaml
t_contains "a cut UTF-8 sequence is reported on line 3, the column in characters" "$T_ERR" \
	'cut.yaml:3:9: error: invalid YAML: invalid trailing UTF-8 octet (byte 0x22)'
printf 'services:\n  web:\n    image: "ng\000inx"\n' >nul-compose.yaml
t_expect "init --from: a NUL byte on line 3: exit 2" 2 "$HEADROOM" init --from nul-compose.yaml -o nul-out.yaml
t_contains "init --from: the NUL is reported at 3:15" "$T_ERR" \
	"nul-compose.yaml:3:15: error: invalid YAML: control characters are not allowed (U+0000)"
t_done
