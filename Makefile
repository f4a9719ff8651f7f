# README's two commands: `make quickstart` (the main job) and `make test` (the tests).
# Both create the virtual environment on first use. The CPU install path pins torch first so
# pip never pulls the multi-GB CUDA build; override TORCH for a GPU machine, e.g.
#   make install TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
EXTRAS ?= dev,quant,metrics,deepspeed,interview,demo
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install quickstart test lint benchmarks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check $(TORCH)
	DS_BUILD_OPS=0 $(BIN)/pip install -q --disable-pip-version-check -e ".[$(EXTRAS)]"
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

clean:
	rm -rf $(VENV) outputs .pytest_cache
