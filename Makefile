# Café IA Formation — every target sets up what it needs, and a second run reuses it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# The platform's absolute links (QR codes, badges, e-mails) follow the port it serves on.
export PORT

.PHONY: run test setup lint format bench wrk browser proxy java pdf lrs clean

run: setup pdf
	$(FLASK) lms init-db
	$(FLASK) lms demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# One test process per core (pytest-xdist), each on its own database; a module's tests stay
# together in one process. TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= auto
# Compiled modules are kept between processes (each worker, each gunicorn or flask command a
# test starts), even where the environment asks Python not to write them.
test: export PYTHONDONTWRITEBYTECODE =
test: java setup browser proxy lrs pdf
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The DSFR's terms are accepted in .dsfr.yml (see the README before reusing this theme).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Browser tests drive Debian's Chromium; Playwright's own browser download is not used.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

# The production shape (gunicorn behind nginx) is tested too: nginx from Debian.
proxy:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && apt-get install -y -qq nginx-light; }

# The Nu HTML checker (npm's vnu-jar) runs on Debian's Java; vnu-jar's own JRE download is not used.
java:
	@command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq default-jre-headless; }

# The attestation: WeasyPrint lays it out with Debian's Pango, the code in DejaVu Sans Mono;
# the tests read it with poppler-utils' pdffonts and pdfinfo.
pdf:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && test -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf && command -v pdffonts >/dev/null; } || \
	  { apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils; }

# A real Ralph LRS, in its own virtualenv, for the xAPI delivery tests.
lrs:
	bash tests/lrs/install.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# BENCH=platform|stats|load|all; the platform and the statistics are measured on SQLite, then
# on PostgreSQL; load runs simulated learners through an LRS outage and a database restart (its
# own PostgreSQL). wrk is the HTTP client: light enough that the server is what is measured.
BENCH ?= all
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/bench
bench: setup lrs wrk
ifneq ($(filter $(BENCH),all platform stats),)
	$(BIN)/python -m bench $(BENCH)
	DATABASE_URL=$(BENCH_POSTGRES) $(BIN)/python -m bench $(BENCH)
endif
ifneq ($(filter $(BENCH),all load),)
	$(BIN)/python -m bench load
endif

clean:
	rm -rf $(VENV) .venv-ralph node_modules instance/*.sqlite3
