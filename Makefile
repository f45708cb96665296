# Two commands on a fresh machine with Python 3.11+, git and make:
#   make data   create .venv from requirements.lock, install the package, run `dvc repro`
#   make test   the same environment, then ruff and the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Stage commands in dvc.yaml call `renda`; this PATH makes them use the project's environment.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: env data test lint lock bench evaluate keep-release clean

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "renda-corpus needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/dvc repro

test: $(STAMP)
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/ruff format --check pipeline tests scripts

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra pipeline --extra dev --extra dask --python-version 3.11 \
		--generate-hashes --no-header --default-index https://pypi.org/simple -o requirements.lock

# Cost of a build stage by stage (wall s, CPU s, peak RSS) next to the floor script, on ../shared/corpus (or any
# folder: make bench CORPUS=path) at 1x with the +1 % rebuild and at 4x; `renda bench --synthetic N` for more.
CORPUS ?= ../shared/corpus
bench: $(STAMP)
	@test -d $(CORPUS) || { echo "bench: $(CORPUS) is not present; nothing measured"; exit 0; }
	mkdir -p bench
	$(BIN)/renda bench $(CORPUS) --scale 1 --json bench/bench-1x.json
	$(BIN)/renda bench $(CORPUS) --scale 4 --no-incremental --json bench/bench-4x.json

# Gold scores (needs ../shared/corpus): builds the shared corpus and scores both halves of the split in
# evaluation/gold_split.json; the test half's summary (no quoted text) is what the datasheet quotes.
SHARED ?= ../shared/corpus
evaluate: $(STAMP)
	@test -d $(SHARED)/gold || { echo "evaluate: $(SHARED)/gold is not present; nothing measured"; exit 0; }
	rm -rf bench/shared-release && mkdir -p bench
	$(BIN)/renda build $(SHARED) --out bench/shared-release --params params.yaml 2> bench/shared-build.log
	$(BIN)/renda evaluate $(SHARED)/gold --release bench/shared-release --json bench/dev_gold_detail.json --half dev
	$(BIN)/renda evaluate $(SHARED)/gold --release bench/shared-release --json bench/test_gold_detail.json --half test
	$(BIN)/renda evaluate $(SHARED)/gold --release bench/shared-release --json evaluation/dev_gold.json --summary --half dev > /dev/null
	$(BIN)/renda evaluate $(SHARED)/gold --release bench/shared-release --json evaluation/test_gold.json --summary --half test > /dev/null

# Keep the published manifest and changelog in git, so the next version's CHANGELOG can diff against them.
keep-release: $(STAMP)
	@version=$$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("params.yaml"))["dataset"]["version"])'); \
	mkdir -p releases/$$version && cp data/release/manifest.json data/release/CHANGELOG.md releases/$$version/ && \
	echo "keep-release: releases/$$version/"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
