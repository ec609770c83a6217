# Two commands a new user needs: `make run` and `make test`.
# Both create .venv with a Python >= 3.12 when it is missing and install the package.

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
SCENARIO  ?= scenarios/default.toml
SEED      ?= 1
OUT       ?= results/default

.PHONY: run test lint venv clean bench check-wheel

$(PY):
	@bash tools/make_venv.sh $(VENV)

# One line per step, and pip's own progress: the first install takes about a
# minute, which should not look like a hang.
$(STAMP): $(PY) pyproject.toml
	@echo "==> [1/3] Upgrading pip in $(VENV)"
	$(PY) -m pip install --quiet --upgrade pip
	@echo "==> [2/3] Installing party-factions and its dependencies (about a minute the first time)"
	$(PY) -m pip install -e '.[dev]'
	@echo "==> [3/3] Installing the web page's front-end files (npm registry)"
	$(PY) -m model.app.assets
	@touch $(STAMP)
	@echo "==> $(VENV) is ready"

venv: $(STAMP)

# --overwrite: `make run` is meant to be repeated; it replaces only its own
# earlier run in $(OUT), never a sweep or other files.
run: $(STAMP)
	$(VENV)/bin/factions run $(SCENARIO) --seed $(SEED) --out $(OUT) --overwrite

lint: $(STAMP)
	$(VENV)/bin/ruff check model tests experiments benchmarks tools
	$(VENV)/bin/ruff format --check model tests experiments benchmarks tools

test: $(STAMP) lint
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The wheel installed into a fresh venv outside the repository (CI runs it too).
check-wheel: $(STAMP)
	bash tools/check_wheel.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
