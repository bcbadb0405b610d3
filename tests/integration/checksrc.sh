#!/bin/sh
# Source rules that a compiler does not enforce (curl checksrc, docs/style.md):
# banned unsafe functions, layering of includes, no printing below cmd/, thin
# subcommands, files of one purpose, one include order and one comment style.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$HEADROOM_ROOT" || exit 1

# 1. Functions that overflow or parse without error reporting.
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|atof|gets)[[:space:]]*\(' src/ || true)
if [ -z "$hits" ]; then t_ok "no banned functions in src/"; else t_not_ok "banned functions in src/"; t_diag "$hits"; fi

# 2. model/ is pure: it includes nothing from the adapters or cmd/.
hits=$(grep -nE '#include "(cmd|pipeline|config|sources|store|actuators|render|loadgen)/' src/model/*.c src/model/*.h 2>/dev/null || true)
if [ -z "$hits" ]; then t_ok "model/ includes only model/ and util/"; else t_not_ok "model/ includes an adapter"; t_diag "$hits"; fi

# 3. util/ is the bottom layer.
hits=$(grep -nE '#include "(cmd|pipeline|model|config|sources|store|actuators|render|loadgen)/' src/util/*.c src/util/*.h || true)
if [ -z "$hits" ]; then t_ok "util/ includes only util/"; else t_not_ok "util/ includes an upper layer"; t_diag "$hits"; fi

# 4b. The adapters do not reach into each other: what two of them share is
# defined below both (model/, util/), and pipeline/ or cmd/ wires them.
hits=""
for a in config sources store actuators render serve loadgen; do
	[ -d "src/$a" ] || continue
	others=$(echo "config sources store actuators render serve loadgen pipeline cmd" | tr ' ' '\n' | grep -vx "$a" | paste -sd'|')
	h=$(grep -nE "#include \"($others)/" "src/$a"/*.[ch] 2>/dev/null || true)
	[ -n "$h" ] && hits="$hits$h
"
done
if [ -z "$hits" ]; then t_ok "adapters include only themselves, model/ and util/"; else t_not_ok "an adapter includes another layer beside or above it"; t_diag "$hits"; fi

# 4c. pipeline/ is below cmd/.
hits=$(grep -nE '#include "cmd/' src/pipeline/*.[ch] 2>/dev/null || true)
if [ -z "$hits" ]; then t_ok "pipeline/ does not include cmd/"; else t_not_ok "pipeline/ includes cmd/"; t_diag "$hits"; fi

# 4d. cmd/ holds no renderer: documents, tables and charts are built in render/.
hits=$(grep -nE '\b(json_(object_set|object_set_new|pack|dumps|dumpf|array_append|array_append_new)|table_(new|add|add_row)|svg_render|doc_(new|para|table|row))[[:space:]]*\(' src/cmd/*.c 2>/dev/null || true)
if [ -z "$hits" ]; then t_ok "cmd/ builds no document, table or chart (render/ does)"; else t_not_ok "cmd/ renders"; t_diag "$hits"; fi

# 4. Nothing below cmd/ includes cmd/.
hits=$(grep -rnE '#include "cmd/' src --include='*.[ch]' | grep -vE '^src/(cmd/|main\.c)' || true)
if [ -z "$hits" ]; then t_ok "only main.c and cmd/ include cmd/"; else t_not_ok "a lower layer includes cmd/"; t_diag "$hits"; fi

# 5. model/ does no I/O and reads no clock.
hits=$(grep -nE '\b(printf|fprintf|puts|fopen|open|read|write|time|clock_gettime|gettimeofday|getenv|exit)[[:space:]]*\(' src/model/*.c | grep -vE 'snprintf|strbuf_' || true)
if [ -z "$hits" ]; then t_ok "model/ does no I/O and reads no clock"; else t_not_ok "model/ does I/O"; t_diag "$hits"; fi

# 6. No exit() below main and cmd/ (diagnostics go to an injected sink).
hits=$(grep -rnE '\bexit[[:space:]]*\(' src --include='*.c' | grep -vE '^src/(cmd/|main\.c)' || true)
if [ -z "$hits" ]; then t_ok "no exit() below cmd/"; else t_not_ok "exit() below cmd/"; t_diag "$hits"; fi

# 7. Subcommands stay thin (docs/style.md): no function in src/cmd/*.c over 80
# lines, counted from the line that names it to its closing brace (both at
# column 0, as every definition in src/ is written). A longer one is a flow
# that belongs in pipeline/ or a list of options that wants a table.
hits=$(awk -v max=80 '
	FNR == 1 { name = ""; start = 0; body = 0 }
	!body && /^[A-Za-z_]/ && /\(/ && !/^typedef/ {
		start = FNR; name = $0; sub(/\(.*/, "", name); sub(/.*[^A-Za-z0-9_]/, "", name)
	}
	!body && /;[[:space:]]*$/ { start = 0 }
	!body && /^\{/ && start { body = 1; next }
	body && /^\}/ {
		if (FNR - start + 1 > max)
			printf "%s:%d: %s is %d lines (at most %d)\n", FILENAME, start, name, FNR - start + 1, max
		body = 0; start = 0
	}' src/cmd/*.c)
if [ -z "$hits" ]; then t_ok "no function in src/cmd/ over 80 lines"; else t_not_ok "a function in src/cmd/ is over 80 lines"; t_diag "$hits"; fi

# 8. Rooms of one purpose: no source file over 1,500 lines (docs/style.md).
hits=$(find src -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 1500 { print $2 ": " $1 " lines" }')
if [ -z "$hits" ]; then t_ok "no file in src/ over 1,500 lines"; else t_not_ok "a file in src/ is over 1,500 lines"; t_diag "$hits"; fi

# 9. A .c file with a header of its own includes it first, so the header is
# known to stand alone (docs/style.md).
hits=""
for f in $(find src -name '*.c'); do
	h=${f%.c}.h
	[ -f "$h" ] || continue
	own=${h#src/}
	first=$(grep -m1 '^#include' "$f")
	[ "$first" = "#include \"$own\"" ] || hits="$hits$f: first include is '$first', not \"$own\"
"
done
if [ -z "$hits" ]; then t_ok "every .c file includes its own header first"; else t_not_ok "a .c file does not include its own header first"; t_diag "$hits"; fi

# 10. Comments in one style: block comments only, and every file opens with
# one saying what it is for (docs/style.md). A '//' inside a string (a URL)
# is no comment: strings are blanked before looking, and a // after a colon
# is a URL's.
find src -name '*.[ch]' -exec awk '
	FNR == 1 && !/^\/\*/ { print FILENAME ":1: no opening comment" }
	{
		line = $0
		gsub(/\\./, "", line)               # escaped characters inside strings
		gsub(/"[^"]*"/, "\"\"", line)        # string literals
		gsub(/\x27[^\x27]*\x27/, "0", line)  # character literals
		if (line ~ /(^|[^:])\/\//) print FILENAME ":" FNR ": // comment"
	}' {} + >"$T_TMP/comments"
hits=$(head -40 "$T_TMP/comments")
if [ -z "$hits" ]; then t_ok "block comments only, and an opening comment in every file"; else t_not_ok "a // comment or a file without an opening comment"; t_diag "$hits"; fi

t_done
