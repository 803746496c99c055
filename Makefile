# The two set-up commands (README): `make demo` and `make test`. Both build .venv from
# the lockfile on first use; nothing needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk

.PHONY: demo test lint format bench bench-smoke clean browser

$(BIN)/healthbank: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo: $(BIN)/healthbank
	DEBUG=1 $(BIN)/healthbank demo --port $(PORT)

# Browser tests drive Debian's Chromium (with CJK fonts); installed here when we may,
# otherwise those tests skip and say why.
browser:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; }; }; } || \
		echo "No Chromium at $(CHROMIUM) and no way to install it: browser tests will be skipped."

test: $(BIN)/healthbank browser
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
	$(BIN)/python bench/pages.py --people 100000
	$(BIN)/python bench/package.py

bench-smoke: $(BIN)/healthbank
	$(BIN)/python bench/seed.py --people 200
	$(BIN)/python bench/pages.py --people 200 --sqlite --sample 5 --repeat 1
	$(BIN)/python bench/package.py --sqlite --people 200 --runs 1

clean:
	rm -rf $(VENV) var
