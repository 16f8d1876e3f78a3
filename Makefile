# Set-up and everyday commands. Each target creates .venv and installs the project on first use,
# so a fresh machine needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run test test-fast check lint format bench bench-quick clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Flashdrop needs Python >= 3.11; set PYTHON=python3.12 or similar")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run          ## run the bot (needs DISCORD_TOKEN or DISCORD_TOKEN_FILE)
	$(BIN)/python -m bot run $(ARGS)

test: $(VENV)/.installed-dev         ## the whole test suite
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(VENV)/.installed-dev    ## the suite without the tests marked slow (over ~5 s each)
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

lint: $(VENV)/.installed-dev         ## ruff (lint + format check) and mypy
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy bot

check: lint test                     ## what CI runs

format: $(VENV)/.installed-dev
	$(BIN)/ruff format bot tests bench
	$(BIN)/ruff check --fix bot tests bench

bench: $(VENV)/.installed-dev        ## benchmarks (see bench/README.md)
	$(BIN)/python -m bench $(ARGS)

bench-quick: $(VENV)/.installed-dev
	$(BIN)/python -m bench --quick $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
