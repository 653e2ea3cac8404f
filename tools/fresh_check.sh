#!/usr/bin/env bash
# What a new user meets: clone this repository (its committed state, HEAD) into a temporary
# folder, and run the README's two commands there, exactly as written, each in its own new
# virtual environment. Prints each step and its time; exits non-zero at the first failure.
# The temporary folder is removed at the end unless --keep is given.
#
#   tools/fresh_check.sh [--keep]
#
# ../shared beside the repository (the seeds some tests read) is linked beside the clone.
set -euo pipefail
keep=no
if [ "${1:-}" = "--keep" ]; then keep=yes; elif [ $# -gt 0 ]; then
    echo "tools/fresh_check.sh: unknown argument '$1'; expected nothing or --keep" >&2; exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "tools/fresh_check.sh: note: uncommitted changes are not checked (the clone takes HEAD)" >&2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/microsim-fresh.XXXXXX")
cleanup() { if [ "$keep" = no ]; then rm -rf "$work"; else echo "kept: $work"; fi; }
trap cleanup EXIT
git clone -q "$repo" "$work/clone"
if [ -d "$repo/../shared" ]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi
mapfile -t commands < <(awk '/^```/ { fence++; next } fence == 1 { print }' "$work/clone/README.md")
if [ "${#commands[@]}" -ne 2 ]; then
    echo "tools/fresh_check.sh: README.md's first shell block has ${#commands[@]} lines; expected 2" >&2; exit 1
fi
clean_path=$PATH  # an activated environment's python3 is not a fresh machine's
if [ -n "${VIRTUAL_ENV:-}" ]; then clean_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$VIRTUAL_ENV/bin" | paste -sd:); fi
for index in 0 1; do
    name=$([ "$index" = 0 ] && echo "run" || echo "test")
    rm -rf "$work/clone/.venv"  # each command makes its own environment, as on a fresh machine
    echo "== $name: ${commands[$index]}"
    start=$(date +%s)
    (cd "$work/clone" && env -u VIRTUAL_ENV PATH="$clean_path" bash -euo pipefail -c "${commands[$index]}")
    echo "== $name passed in $(( $(date +%s) - start )) s"
done
echo "== both README commands pass on a fresh clone of $(git -C "$repo" rev-parse --short HEAD)"
