# tests/env.sh - the environment every test runs in (sourced, POSIX sh).
#
# A test's expectation must not depend on the shell that happens to run the
# suite: a CI runner's TERM=dumb, an editor's COLUMNS, a user's NO_COLOR,
# TZ or XDG folders. tests/run.sh sources this before any test, and
# tests/lib.sh again for a test run by hand. A test that needs another value
# (a terminal, a colour setting) sets it on the command it runs, e.g.
# `TERM=xterm-256color script ...`.
#
# HOME and the XDG folders point into the run's own temporary folder
# ($T_ENV_DIR, created here), so no test reads the caller's config or history.
_hr_env_dir=${T_ENV_DIR:?set T_ENV_DIR to a folder of the run before sourcing tests/env.sh}
mkdir -p "$_hr_env_dir/home" "$_hr_env_dir/config" "$_hr_env_dir/data" "$_hr_env_dir/cache" "$_hr_env_dir/state"
export HOME="$_hr_env_dir/home"
export XDG_CONFIG_HOME="$_hr_env_dir/config" XDG_DATA_HOME="$_hr_env_dir/data"
export XDG_CACHE_HOME="$_hr_env_dir/cache" XDG_STATE_HOME="$_hr_env_dir/state"
unset XDG_CONFIG_DIRS XDG_DATA_DIRS XDG_RUNTIME_DIR
# No terminal is promised: output goes to files. A test that gives a
# program a pty says which TERM it gives it.
export TERM=dumb
unset NO_COLOR CLICOLOR CLICOLOR_FORCE FORCE_COLOR COLORTERM COLUMNS LINES
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE
# headroom's own settings come from each test, never from the caller.
unset HEADROOM_CATALOG HEADROOM_DATA
unset _hr_env_dir T_ENV_DIR
