#!/usr/bin/env bash
# Results identical across a restructure: run every shipped scenario and study at a base commit
# and at the working tree, on this machine with this environment's libraries, and compare the
# results hash (`results_sha256` of each run folder's manifest: every table and summary.json) and
# the printed cost tables. Exits non-zero, naming the command, at the first difference.
#
#   tools/results_identical.sh BASE        # e.g. HEAD~1 or main
#
# Both sides run with the same Python (the active environment, or .venv/bin/python), so what is
# compared is the code alone. The hashes are machine-dependent (BLAS kernels differ in their last
# bits across CPUs: docs/uncertainty.md), which is why this compares two commits on one machine
# instead of checking hashes stored in the repository.
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: tools/results_identical.sh BASE (a commit, e.g. HEAD~1)" >&2; exit 2; fi
repo=$(cd "$(dirname "$0")/.." && pwd)
base=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}") || {
    echo "tools/results_identical.sh: '$1' is not a commit of $repo" >&2; exit 2; }
python=${PYTHON:-$([ -n "${VIRTUAL_ENV:-}" ] && echo python || echo "$repo/.venv/bin/python")}
work=$(mktemp -d "${TMPDIR:-/tmp}/microsim-identical.XXXXXX")
trap 'git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add -q --detach "$work/base" "$base"

# Each line: a label, then the command's arguments (run from the side's own folder).
studies=()
for scenario in "$repo"/policies/scenarios/*.yaml; do
    name=$(basename "$scenario" .yaml)
    studies+=("run-$name|run policies/scenarios/$name.yaml --no-intervals --no-charts")
done
studies+=("run-replicates|run policies/scenarios/child_benefit_2_5.yaml --replicates 4 --no-charts")
studies+=("project|project policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2029")
studies+=("sweep|sweep policies/scenarios/child_benefit_2_5.yaml --vary child_benefit.amount=40000,80000 --vary child_benefit.max_age=4,5")
studies+=("inaction|inaction policies/scenarios/child_benefit_2_5.yaml --cohorts 2026")
studies+=("workbook|workbook docs/training/scenarios/five_measures.yaml --from 2026 --to 2028")
costs=("cost|cost policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2030")

side() {  # side FOLDER LABEL ARGS...: run the command line there, with that side's package first
    local folder=$1 label=$2; shift 2
    (cd "$folder" && "$python" -c "import sys; sys.path.insert(0, '.'); from microsim.cli import main; main()" "$@")
}
differences=0
for entry in "${studies[@]}"; do
    label=${entry%%|*}; read -r -a args <<< "${entry#*|}"
    hashes=()
    for folder in "$work/base" "$repo"; do
        out="$work/out-$label-$(basename "$folder")"
        side "$folder" "$label" "${args[@]}" --out "$out" --quiet >/dev/null 2>"$work/stderr" || {
            echo "$label: failed in $folder:"; cat "$work/stderr"; exit 1; }
        hashes+=("$("$python" -c "import json, sys; print(json.load(open(sys.argv[1]))['results_sha256'])" "$out/manifest.json")")
    done
    if [ "${hashes[0]}" = "${hashes[1]}" ]; then echo "same       $label  ${hashes[1]:0:16}"
    else echo "DIFFERENT  $label  base ${hashes[0]:0:16}  now ${hashes[1]:0:16}"; differences=$((differences + 1)); fi
done
for entry in "${costs[@]}"; do
    label=${entry%%|*}; read -r -a args <<< "${entry#*|}"
    side "$work/base" "$label" "${args[@]}" > "$work/cost-base.txt"
    side "$repo" "$label" "${args[@]}" > "$work/cost-now.txt"
    if cmp -s "$work/cost-base.txt" "$work/cost-now.txt"; then echo "same       $label  (printed table)"
    else echo "DIFFERENT  $label"; diff "$work/cost-base.txt" "$work/cost-now.txt" | head -20; differences=$((differences + 1)); fi
done
if [ "$differences" -ne 0 ]; then echo "$differences of $(( ${#studies[@]} + ${#costs[@]} )) differ from $1"; exit 1; fi
echo "all $(( ${#studies[@]} + ${#costs[@]} )) results identical to $1 ($(git -C "$repo" rev-parse --short "$base"))"
