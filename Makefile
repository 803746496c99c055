# The two set-up commands (README): `make demo` and `make test`. Both build .venv from
# the lockfile on first use; nothing needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint format bench bench-smoke clean

$(BIN)/healthbank: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . || \
		$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo: $(BIN)/healthbank
	DEBUG=1 $(BIN)/healthbank demo --port $(PORT)

test: $(BIN)/healthbank
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(BIN)/healthbank
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/healthbank
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/healthbank
	$(BIN)/python bench/seed.py --people 10000

bench-smoke: $(BIN)/healthbank
	$(BIN)/python bench/seed.py --people 200

clean:
	rm -rf $(VENV) var
