#!/usr/bin/env bash
# Create the project's virtual environment with a Python >= 3.12, or explain why not.
set -euo pipefail
venv=${1:-.venv}
for cand in python3 python3.13 python3.12 python; do
    if command -v "$cand" >/dev/null 2>&1 \
        && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "Creating $venv with $("$cand" --version 2>&1) ($cand)"
        "$cand" -m venv "$venv"
        exit 0
    fi
done
found=$(python3 --version 2>&1 || echo "no python3")
cat >&2 <<MSG
error: party-factions needs Python 3.12 or newer (Mesa 3.5 requires it); found: $found.
  With pyenv: 'pyenv install 3.12' (this folder's .python-version pins 3.12).
  Otherwise install Python 3.12+ and run 'make' again.
MSG
exit 1
