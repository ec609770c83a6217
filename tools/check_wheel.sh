#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv outside the repository, and run the
# `factions` command from an empty folder: what a user who ran `pip install .` gets.
#
#   bash tools/check_wheel.sh            (CI runs it after the tests: .ci/run)
#
# It checks that the package carries everything it reads (data files, the bundled
# scenarios) and never reaches into the repository:
#   1. factions run default --plan        the month of a bundled scenario, by name
#   2. factions run default --months 6    a short run of it, with every output
#   3. factions count ballots_2010.csv    a ballot file counted under a rules preset
#   4. factions validate-history --quick  only once the history data is in the
#                                         wheel (model/data/labour/); until then it
#                                         says so and is skipped
# Dependencies are installed with uv (a dev dependency: seconds, with its own cache),
# or with pip when uv is missing (about a minute). Exit status: 0 if every check
# passed (or was skipped, said so), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export UV_PYTHON_DOWNLOADS=never  # uv must use the Python it is given, never fetch one

python=${PYTHON:-}
if [[ -z $python ]]; then
    if [[ -x .venv/bin/python ]]; then
        python=.venv/bin/python
    else
        python=python3
    fi
fi
# The interpreter the venv was made from (a venv's own python would tie the new venv to it).
base=$("$python" -c 'import sys; print(sys._base_executable)')
"$base" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || {
    echo "check_wheel: needs Python >= 3.12, got $("$base" --version 2>&1)" >&2
    exit 1
}
uv=""
if [[ -n ${CHECK_WHEEL_PIP:-} ]]; then
    :  # CHECK_WHEEL_PIP=1: install with pip, as without uv
elif [[ -x .venv/bin/uv ]]; then
    uv=$repo/.venv/bin/uv
elif command -v uv >/dev/null 2>&1; then
    uv=$(command -v uv)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/factions-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
step() { echo "==> [$((SECONDS - started)) s] $*"; }

step "building the wheel"
# From a copy of the files git knows (committed or not, ignored ones left out), so
# that a stale build/ folder from an earlier build cannot hide a missing file.
src=.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    src=$work/src
    mkdir "$src"
    git ls-files -z --cached --others --exclude-standard |
        (while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done) |
        tar --null -T - -cf - | tar -xf - -C "$src"
fi
"$python" -m pip wheel --quiet --no-deps "$src" -w "$work/dist"
wheel=$(ls "$work"/dist/party_factions-*.whl)
echo "    $(basename "$wheel") ($(du -k "$wheel" | cut -f1) kB)"

installer=pip
[[ -n $uv ]] && installer=uv
step "installing it into a fresh venv in $work (with $installer)"
if [[ -n $uv ]]; then
    "$uv" venv --quiet --python "$base" "$work/venv"
    "$uv" pip install --quiet --python "$work/venv/bin/python" "$wheel[calibrate]"
else
    "$base" -m venv "$work/venv"
    "$work/venv/bin/python" -m pip install --quiet "$wheel[calibrate]"
fi
factions=$work/venv/bin/factions

# From an empty folder, with nothing pointing back at the repository.
mkdir "$work/elsewhere"
cd "$work/elsewhere"
unset PYTHONPATH
installed=$("$work/venv/bin/python" -c 'import model; print(model.__file__)')
case $installed in
    "$work"/venv/*) ;;
    *) echo "check_wheel: 'import model' found $installed, not the installed wheel" >&2; exit 1 ;;
esac
failed=0
check() {  # check NAME COMMAND...: run it, show its last lines, count a failure
    local name=$1
    shift
    step "$name"
    if "$@" >"$work/out.txt" 2>&1; then
        tail -n 4 "$work/out.txt" | sed 's/^/    /'
    else
        echo "    FAILED ($*):"
        tail -n 20 "$work/out.txt" | sed 's/^/    /'
        failed=1
    fi
}
check "factions run default --plan" "$factions" run default --plan
check "factions run default --months 6" \
    "$factions" run default --months 6 --seed 1 --out run --no-figures
for file in run/series.csv run/events.jsonl run/clps.csv run/manifest.json; do
    [[ -s $file ]] || { echo "    missing: $file"; failed=1; }
done
cp "$repo/experiments/examples/ballots_2010.csv" .
check "factions count ballots_2010.csv --rules labour_2010" \
    "$factions" count ballots_2010.csv --rules labour_2010
grep -q "Winner: Ed Miliband" "$work/out.txt" || { echo "    the 2010 count has another winner"; failed=1; }

history=model/data/labour/labour_history.json
if "$base" -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' \
    "$wheel" "$history"; then
    check "factions validate-history --quick" "$factions" validate-history --quick --out validation
else
    step "factions validate-history --quick: SKIPPED, not available from an installed package yet"
    echo "    the wheel has no $history (the history data"
    echo "    is not packaged yet); this check runs as soon as it is"
fi

if [[ $failed -ne 0 ]]; then
    step "the installed package FAILED (see above)"
    exit 1
fi
step "the installed package works outside the repository"
