# Two commands do everything on a fresh machine with Python 3.11:
#   make reproduce   create .venv if missing, then rebuild every figure (snakemake --cores all)
#   make test        create .venv if missing, then run the test suite (pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all
SNAKEMAKE_ARGS ?=

.PHONY: env test reproduce smoke lint clean-env

env: $(VENV)/.installed

$(VENV)/.installed: envs/requirements.txt envs/constraints.txt pyproject.toml envs/paper/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r envs/requirements.txt -c envs/constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . -e envs/paper
	touch $@

test: env
	$(BIN)/python -m pytest

# first: a lock left by a hard-killed run is cleared (never while a run is alive), damaged
# tables are rebuilt (src/linrfm_paper/preflight.py)
reproduce: env
	$(BIN)/python -m linrfm_paper.preflight . --cores $(CORES)
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)

smoke: env
	$(BIN)/python -m linrfm_paper.preflight . --cores $(CORES) --configfile config/smoke.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/smoke.yaml $(SNAKEMAKE_ARGS)

lint: env
	$(BIN)/ruff check src tests workflow bench
	$(BIN)/ruff format --check src tests workflow bench
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint

clean-env:
	rm -rf $(VENV)
