# bash completion for headroom(1).
#
# Commands, flags and flag values are read from `headroom --help` and
# `headroom CMD --help` of the binary being completed, so completion follows
# the installed version and cannot drift from it:
#   - a flag's value list is an A|B|C written after it ("--format text|json");
#   - -f/--file completes *.yaml and *.yml files, other FILE values any file;
#   - a PLAN value is a server plan name of the price catalogue.
# The help of each command is read once per shell.

_headroom_help()
{
	local cmd=$1 var
	var="_headroom_help_${cmd:-main}"
	var=${var//-/_}
	if [[ -z ${!var+set} ]]; then
		local text
		if [[ -n $cmd ]]; then
			text=$("$_headroom_bin" "$cmd" --help 2>/dev/null)
		else
			text=$("$_headroom_bin" --help 2>/dev/null)
		fi
		printf -v "$var" '%s' "$text"
	fi
	printf '%s\n' "${!var}"
}

# The flags of a command: every --long and -s word in its option lines.
_headroom_flags()
{
	_headroom_help "$1" | grep -oE '(^|[[:space:],[])--?[A-Za-z][A-Za-z0-9-]*' | grep -oE -- '--?[A-Za-z][A-Za-z0-9-]*' | sort -u
}

# What follows a flag in the help: its metavariable or value list, or nothing.
_headroom_flag_arg()
{
	local cmd=$1 flag=$2
	local all
	all=$(_headroom_help "$cmd" | grep -oE -- "(^|[[:space:],[])$flag [^][:space:]]+" | sed -E "s/^.*$flag //")
	# The usage line may say "--format F" where the option line says
	# "--format text|json": a value list wins.
	{ grep -m 1 '|' <<<"$all" || head -n 1 <<<"$all"; } 2>/dev/null
}

_headroom()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local _headroom_bin=${COMP_WORDS[0]}
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		local cmds
		cmds=$(_headroom_help "" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return 0
	fi
	local cmd=${COMP_WORDS[1]}
	if [[ $prev == -* ]]; then
		local arg
		arg=$(_headroom_flag_arg "$cmd" "$prev")
		case $arg in
		'') ;;
		*'|'*)
			COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur"))
			return 0
			;;
		PLAN)
			local plans
			plans=$("$_headroom_bin" catalog --kind server --format json 2>/dev/null |
				sed -n 's/^ *"name": "\([^"]*\)".*/\1/p')
			COMPREPLY=($(compgen -W "$plans" -- "$cur"))
			return 0
			;;
		FILE | FILE.* | *FILE)
			if [[ $prev == -f || $prev == --file ]]; then
				COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -- "$cur") $(compgen -d -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return 0
			;;
		*)
			# A value nobody can guess (a URL, a duration): offer nothing.
			return 0
			;;
		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_headroom_flags "$cmd")" -- "$cur"))
	fi
	return 0
}

shopt -s extglob 2>/dev/null
complete -F _headroom headroom
