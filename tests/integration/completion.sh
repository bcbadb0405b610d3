#!/bin/sh
# Shell completion: bash's completion function driven as bash drives it
# (COMP_WORDS, COMP_CWORD -> COMPREPLY) for commands, flags, --format
# values, config files for -f and plan names from the catalogue; the zsh
# function parses.
. "$HEADROOM_ROOT/tests/lib.sh"
export LC_ALL=C
COMP="$HEADROOM_ROOT/contrib/completions/headroom.bash"
mkdir -p "$T_TMP/w/sub"
: >"$T_TMP/w/headroom.yaml"
: >"$T_TMP/w/other.yml"
: >"$T_TMP/w/notes.txt"

# complete WORD...: the completions of the last word, sorted, one line.
complete_words() {
	(cd "$T_TMP/w" && PATH="$(dirname "$HEADROOM"):$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_headroom
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' sh "$COMP" "$@")
}

check() {
	name=$1 want=$2
	shift 2
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then t_ok "$name"; else t_not_ok "$name"; t_diag "want: $want"; t_diag "got:  $got"; fi
}

check "commands" "catalog check" headroom c
check "every command" "$({ "$HEADROOM" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'; printf '%s\n' --help --version; } | sort | paste -sd' ')" headroom ''
check "plan's flags" "--file --format --help --months --output --users" headroom plan --
check "a long flag by prefix" "--months" headroom plan --mo
check "--format values of plan" "html json md text" headroom plan --format ''
check "--format values of queue" "json text" headroom queue --format ''
check "--format values by prefix" "json" headroom check --format j
check "-f: config files and folders" "headroom.yaml other.yml sub" headroom plan -f ''
check "--file: config files" "headroom.yaml" headroom validate --file h
check "a flag whose value cannot be guessed" "" headroom bench --duration ''
check "no flags where none is typed" "" headroom plan ''

# A flag that takes a catalogue plan: a help that names one gets plan names.
cat >"$T_TMP/fake" <<'SH'
#!/bin/sh
case "$*" in
"" | "--help") printf 'Commands:\n  try   a command\n\n' ;;
"try --help") printf 'usage: fake try [--plan PLAN]\n\n      --plan PLAN  a server plan\n' ;;
*) exec "$REAL" "$@" ;;
esac
SH
chmod +x "$T_TMP/fake"
got=$(cd "$T_TMP/w" && REAL="$HEADROOM" bash -c '. "$1"; COMP_WORDS=("$2" try --plan cx); COMP_CWORD=3; _headroom; printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' sh "$COMP" "$T_TMP/fake")
t_contains "PLAN values are catalogue plans" "$got" "cx22"
t_contains "PLAN values are every matching plan" "$got" "cx32"

if command -v zsh >/dev/null; then
	t_check "the zsh function parses" zsh -n "$HEADROOM_ROOT/contrib/completions/_headroom"
else
	t_not_ok "zsh is installed (scripts/deps.sh)"
fi
t_done
