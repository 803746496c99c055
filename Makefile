# The two set-up commands (README): `make demo` and `make test`. Both build .venv from
# the lockfile on first use; nothing needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk
ESPEAK := /usr/bin/espeak-ng
PATRONI := /usr/bin/patroni
# The cluster's parts (cluster/shape.py): without them the cluster's tests skip and say why.
DEBIAN_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 wrk espeak-ng etcd-server patroni pgbackrest haproxy redis-server

.PHONY: demo test lint format bench bench-smoke clean packages cluster

$(BIN)/healthbank: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo: $(BIN)/healthbank
	DEBUG=1 $(BIN)/healthbank demo --port $(PORT)

# Debian's packages the tests use: Chromium (with CJK fonts) for the browser tests, wrk for
# the benchmark's loads past a Python loader, espeak-ng for the image code's spoken version
# (in Mandarin and English; identity/imagecode.py), etcd, Patroni, pgBackRest and HAProxy for
# `make cluster`. Installed here when we may, otherwise the tests that need them skip and say
# why.
packages:
	@{ test -x $(CHROMIUM) && test -x $(WRK) && test -x $(ESPEAK) && test -x $(PATRONI); } || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; }; }; } || \
		echo "No Chromium at $(CHROMIUM), wrk at $(WRK) or espeak-ng at $(ESPEAK) or Patroni at $(PATRONI), and no way to install them: the tests that need them will be skipped."

test: $(BIN)/healthbank packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(BIN)/healthbank
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(BIN)/healthbank
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (bench/run.py): PostgreSQL databases of 10,000 and 100,000 people, kept
# between runs; the report goes to bench/results/<date>.md. The smoke run: a tiny SQLite
# dataset (PostgreSQL when DATABASE_URL names one), under a minute, into var/bench-smoke/.
bench: $(BIN)/healthbank packages
	$(BIN)/python bench/run.py

bench-smoke: $(BIN)/healthbank packages
	$(BIN)/python bench/run.py --smoke

# The national shape on loopback test hosts (cluster/run.py): an HA PostgreSQL cluster of
# three, two web hosts behind HAProxy, two workers, the demo data; Ctrl-C stops it.
cluster: $(BIN)/healthbank packages
	$(BIN)/python cluster/run.py

clean:
	rm -rf $(VENV) var
