#!/bin/sh
# -o writes like a shell redirection where it must (README, "Output files"),
# for each writer (export prometheus-rules, export compose, init, plan
# --format md): a FIFO's reader gets the bytes and the FIFO stays a FIFO; a
# character device (the numbers of /dev/null and /dev/full, made by mknod in
# the test's own folder) is written in place and stays a device, and a full
# one is one line and exit 2; a symbolic link is followed and stays a link; a
# regular file keeps its mode; a directory, a socket or a block device is
# refused with one line and exit 2; no side file (postgresql.conf, the
# plan's charts) goes beside a FIFO, a device or standard output; a FIFO
# nobody opens for reading ends after 10 s with exit 2 instead of hanging.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
EX="$HEADROOM_ROOT/examples"
FIX="$HEADROOM_ROOT/tests/fixtures/compose"
MACHINE="--cpus 4 --memory 8GiB --disk 160GB"
WRITERS="rules compose init md"

# run NAME OUT: the writer NAME with -o OUT (stdout and stderr left to the caller).
run() {
	case $1 in
	rules) "$HEADROOM" export prometheus-rules -f "$EX/altius.yaml" -o "$2" ;;
	compose) "$HEADROOM" export compose -f "$EX/altius.yaml" --stage single -o "$2" ;;
	# shellcheck disable=SC2086 # MACHINE is several flags
	init) "$HEADROOM" init --from "$FIX/django.yml" $MACHINE --force -o "$2" ;;
	md) "$HEADROOM" plan -f "$EX/altius.yaml" --format md -o "$2" ;;
	esac
}

# What each writer puts on standard output: what a FIFO's reader must get
# (no postgresql.conf mount, no chart links, as on standard output).
for w in $WRITERS; do
	case $w in
	rules) "$HEADROOM" export prometheus-rules -f "$EX/altius.yaml" ;;
	compose) "$HEADROOM" export compose -f "$EX/altius.yaml" --stage single 2>/dev/null ;;
	# shellcheck disable=SC2086
	init) "$HEADROOM" init --from "$FIX/django.yml" $MACHINE -o - 2>/dev/null ;;
	md) "$HEADROOM" plan -f "$EX/altius.yaml" --format md ;;
	esac >"ref.$w"
	t_check "$w: a reference on standard output ($(wc -c <"ref.$w") bytes)" [ -s "ref.$w" ]
done

# only DIR NAME: DIR holds NAME and nothing else (no side file, no temporary file).
only() { [ "$(ls -A "$1")" = "$2" ]; }

# reap PID: wait up to 5 s for a FIFO's reader; one that still waits never
# got a writer (the FIFO was replaced under it): stop it. @return 0 if it ended.
reap() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		kill "$1" 2>/dev/null
		return 1
	fi
	wait "$1"
}

# --- a FIFO with a reader -------------------------------------------------------
for w in $WRITERS; do
	mkdir "fifo.$w" && mkfifo "fifo.$w/out"
	cat "fifo.$w/out" >"got.$w" &
	reader=$!
	t_started $reader
	t_expect "$w -o FIFO: exit 0" 0 run "$w" "fifo.$w/out"
	[ "$w" = compose ] && t_contains "compose -o FIFO: says the settings file needs a regular file" "$T_ERR" \
		"PostgreSQL's settings file is written only beside a regular file"
	if reap $reader; then t_ok "$w -o FIFO: the reader saw the end"; else t_not_ok "$w -o FIFO: the reader never got a writer"; fi
	t_check "$w -o FIFO: the reader got the document" cmp -s "got.$w" "ref.$w"
	t_check "$w -o FIFO: still a FIFO" test -p "fifo.$w/out"
	t_check "$w -o FIFO: nothing beside it ($(ls -A "fifo.$w" | tr '\n' ' '))" only "fifo.$w" out
done

# --- a FIFO nobody reads: bounded, not forever ------------------------------------
mkdir lonely && mkfifo lonely/out
start=$(date +%s)
t_expect "-o FIFO without a reader: exit 2" 2 run rules lonely/out
took=$(($(date +%s) - start))
t_check "... after about 10 s (took $took s)" [ "$took" -ge 9 -a "$took" -le 20 ]
t_contains "... one line naming the FIFO" "$T_ERR" "headroom export prometheus-rules: cannot write lonely/out: no reader opened the FIFO within 10 s"
t_check "... still a FIFO, nothing beside it" sh -c 'test -p lonely/out && [ "$(ls -A lonely)" = out ]'

# --- character devices (made here: root only) -------------------------------------
if [ "$(id -u)" -eq 0 ] && mknod probe c 1 3 2>/dev/null; then
	rm -f probe
	for w in $WRITERS; do
		mkdir "null.$w" "full.$w"
		mknod "null.$w/null" c 1 3
		mknod "full.$w/full" c 1 7
		t_expect "$w -o NULL-DEVICE: exit 0" 0 run "$w" "null.$w/null"
		t_check "$w -o NULL-DEVICE: still a character device" test -c "null.$w/null"
		t_check "$w -o NULL-DEVICE: nothing beside it ($(ls -A "null.$w" | tr '\n' ' '))" only "null.$w" null
		t_expect "$w -o FULL-DEVICE: exit 2" 2 run "$w" "full.$w/full"
		t_contains "$w -o FULL-DEVICE: says so" "$T_ERR" "cannot write full.$w/full: No space left on device"
		t_check "$w -o FULL-DEVICE: one line about it" [ "$(printf '%s\n' "$T_ERR" | grep -c 'full')" -eq 1 ]
		t_check "$w -o FULL-DEVICE: still a character device" test -c "full.$w/full"
		t_check "$w -o FULL-DEVICE: nothing beside it ($(ls -A "full.$w" | tr '\n' ' '))" only "full.$w" full
	done
	mkdir blk && mknod blk/dev b 7 0
	t_expect "-o BLOCK-DEVICE: refused, exit 2" 2 run rules blk/dev
	t_contains "... one line naming it" "$T_ERR" "headroom export prometheus-rules: blk/dev is a block device; -o takes a regular file"
	t_check "... still a block device, nothing beside it" sh -c 'test -b blk/dev && [ "$(ls -A blk)" = dev ]'
else
	t_skip "character and block devices: mknod needs root (uid $(id -u))"
fi

# --- a directory and a socket: refused ---------------------------------------------
for w in $WRITERS; do
	mkdir "dir.$w"
	t_expect "$w -o DIRECTORY: refused, exit 2" 2 run "$w" "dir.$w"
	t_contains "$w -o DIRECTORY: says what it is" "$T_ERR" "dir.$w is a directory; -o takes a regular file"
	t_check "$w -o DIRECTORY: nothing written in it or beside it" sh -c "[ -z \"\$(ls -A dir.$w)\" ] && ! ls *.svg postgresql.conf 2>/dev/null"
done
mkdir sock
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock/s")'
t_expect "-o SOCKET: refused, exit 2" 2 run compose sock/s
t_contains "... says what it is" "$T_ERR" "sock/s is a socket"
t_check "... still a socket, nothing beside it" sh -c 'test -S sock/s && [ "$(ls -A sock)" = s ]'

# --- symbolic links: followed, like a shell -------------------------------------
mkdir link && printf 'old\n' >link/real.yml && chmod 640 link/real.yml && ln -s real.yml link/out
t_expect "-o LINK to a file: exit 0" 0 run rules link/out
t_check "... the link is still a link to the same name" [ -L link/out -a "$(readlink link/out)" = real.yml ]
t_check "... its target has the document" cmp -s link/real.yml ref.rules
t_check "... and kept its mode ($(stat -c %a link/real.yml))" [ "$(stat -c %a link/real.yml)" = 640 ]
t_check "... nothing else beside it" [ "$(ls -A link | tr '\n' ' ')" = "out real.yml " ]
mkdir -p rel/sub && ln -s ../made.yml rel/sub/out
t_expect "-o LINK to a name that is not there: exit 0" 0 run rules rel/sub/out
t_check "... the target is created where the link points, the link kept" \
	sh -c '[ -L rel/sub/out ] && cmp -s rel/made.yml ref.rules && [ "$(ls -A rel/sub)" = out ]'
mkdir lfifo && mkfifo lfifo/fifo && ln -s fifo lfifo/out
cat lfifo/fifo >got.lfifo &
reader=$!
t_started $reader
t_expect "-o LINK to a FIFO: exit 0" 0 run md lfifo/out
if reap $reader; then t_ok "... the reader saw the end"; else t_not_ok "... the reader never got a writer"; fi
t_check "... the reader got the document, the link and the FIFO are kept, no chart beside" \
	sh -c 'cmp -s got.lfifo ref.md && [ -L lfifo/out ] && [ -p lfifo/fifo ] && [ "$(ls -A lfifo | tr "\n" " ")" = "fifo out " ]'

mkdir loop && ln -s out loop/out
t_expect "-o LINK to itself: exit 2" 2 run rules loop/out
t_contains "... one line naming it" "$T_ERR" "cannot write loop/out: Too many levels of symbolic links"
t_check "... still a link, nothing beside it" sh -c '[ -L loop/out ] && [ "$(ls -A loop)" = out ]'

# --- regular files and missing names ---------------------------------------------
mkdir reg && printf 'old\n' >reg/out.yml && chmod 600 reg/out.yml
t_expect "-o an existing file: exit 0" 0 run rules reg/out.yml
t_check "... replaced with the document" cmp -s reg/out.yml ref.rules
t_check "... keeping its mode ($(stat -c %a reg/out.yml))" [ "$(stat -c %a reg/out.yml)" = 600 ]
t_check "... no temporary file left" [ "$(ls -A reg)" = out.yml ]
mkdir new
t_expect "compose -o a new name: exit 0" 0 run compose new/docker-compose.yml
t_check "... with postgresql.conf beside it" sh -c '[ "$(ls -A new | tr "\n" " ")" = "docker-compose.yml postgresql.conf " ]'
mkdir newmd
t_expect "md -o a new name: exit 0" 0 run md newmd/s.md
t_check "... with its charts beside it ($(ls newmd | grep -c 'svg$') SVG files)" [ "$(ls newmd | grep -c '^s-.*svg$')" -ge 4 ]
t_expect "-o in a folder that is not there: exit 2" 2 run rules no/such/dir/x.yml
t_contains "... one line naming it" "$T_ERR" "cannot write no/such/dir/x.yml: No such file or directory"
t_expect "an empty -o: exit 2" 2 run rules ""
t_contains "... says what it expected" "$T_ERR" "-o: expected a file name"

# --- init without --force: a file is kept, a FIFO is written --------------------------
mkdir keep && printf 'mine\n' >keep/headroom.yaml
# shellcheck disable=SC2086
t_expect "init without --force onto a file: exit 2" 2 "$HEADROOM" init --from "$FIX/django.yml" $MACHINE -o keep/headroom.yaml
t_check "... the file is kept" [ "$(cat keep/headroom.yaml)" = mine ]
mkdir ifo && mkfifo ifo/out
cat ifo/out >got.ifo &
reader=$!
t_started $reader
# shellcheck disable=SC2086
t_expect "init without --force onto a FIFO: written (nothing is replaced)" 0 "$HEADROOM" init --from "$FIX/django.yml" $MACHINE -o ifo/out
reap $reader
t_check "... the reader got it" cmp -s got.ifo ref.init

# --- standard output: no side file in the working folder --------------------------
for w in compose md; do
	mkdir "stdout.$w"
	(cd "stdout.$w" && run "$w" - >../"got.stdout.$w" 2>/dev/null)
	t_check "$w -o -: the document on standard output" cmp -s "got.stdout.$w" "ref.$w"
	t_check "$w -o -: nothing written in the working folder ($(ls -A "stdout.$w" | tr '\n' ' '))" \
		[ -z "$(ls -A "stdout.$w")" ]
done
t_done
