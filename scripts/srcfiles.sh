#!/bin/sh
# The source files of a checkout, NUL-separated, one per entry: what a clean
# clone or a release tarball holds.
#   sh scripts/srcfiles.sh ROOT | xargs -0 cp --parents -t DEST
# In a git repository they are the tracked files (`git ls-files`). A copy
# made with `git archive` or unpacked from a tarball has no .git: then it is
# every file below ROOT except what a build leaves there (Meson build
# folders, the ./headroom link, the package and fuzz folders) and editor or
# VCS droppings.
set -eu
ROOT=${1:?usage: scripts/srcfiles.sh ROOT}
cd "$ROOT"
if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ "$(git rev-parse --show-toplevel)" = "$(pwd -P)" ]; then
	exec git ls-files -z
fi
# A Meson build folder holds meson-private/; build-deb holds the package.
find . -mindepth 1 \
	\( -type d \( -name .git -o -name build-deb -o -name node_modules -o -exec test -d '{}/meson-private' \; \) -prune \) -o \
	\( \( -type f -o -type l \) ! -path ./headroom ! -name '*~' ! -name '*.swp' -print0 \) |
	sed -z 's|^\./||'
