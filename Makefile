# Two commands a new user needs: `make run` and `make test`.
# Both create .venv with a Python >= 3.12 when it is missing and install the package.

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
SCENARIO  ?= scenarios/default.toml
SEED      ?= 1
OUT       ?= results/default

.PHONY: run test lint venv clean bench

$(PY):
	@bash tools/make_venv.sh $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m model.app.assets
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/factions run $(SCENARIO) --seed $(SEED) --out $(OUT)

lint: $(STAMP)
	$(VENV)/bin/ruff check model tests experiments benchmarks
	$(VENV)/bin/ruff format --check model tests experiments benchmarks

test: $(STAMP) lint
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
