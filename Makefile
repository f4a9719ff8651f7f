# README's two commands: `make quickstart` (the main job) and `make test` (the tests).
# Both create the virtual environment on first use. The CPU install path pins torch first so
# pip never pulls the multi-GB CUDA build; override TORCH for a GPU machine, e.g.
#   make install TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
# Every install is held to constraints.txt, the exact versions CI tested; `make constraints`
# rewrites it from the current venv after an upgrade (see README, "Installing").
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
EXTRAS ?= dev,quant,metrics,deepspeed,interview,demo,llm,logging
CONSTRAINTS ?= constraints.txt
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install quickstart test lint benchmarks clean constraints

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c $(CONSTRAINTS) $(TORCH)
	DS_BUILD_OPS=0 $(BIN)/pip install -q --disable-pip-version-check -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	touch $@

install: $(STAMP)

quickstart: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/aesthetic-mllm quickstart

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check aesthetic_mllm tests benchmarks eval

benchmarks: $(STAMP)
	for b in benchmarks/*.py; do HF_HUB_OFFLINE=1 $(BIN)/python $$b || exit 1; done

# Re-pin after upgrading on purpose: pip install -U ... in the venv, run `make test`, then this.
constraints: $(STAMP)
	printf '%s\n' "# Exact versions CI tested (Python 3.11, CPU torch). Regenerate: make constraints" \
	  "# (after upgrading inside .venv and passing make test); see README, Installing." > $(CONSTRAINTS).tmp
	$(BIN)/pip freeze --disable-pip-version-check --exclude-editable \
	  | grep -v -i '^aesthetic[-_]mllm' | sed -E 's/^torch==([^+]*)\+.*/torch==\1/' >> $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS)

clean:
	rm -rf $(VENV) outputs .pytest_cache
