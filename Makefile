# One command each, on a fresh machine with only Python 3.11+: the venv is created when absent.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck check bench bench-full bench-scale bench-parsers clean system-deps

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,peers,bench,spark]'
	@touch $(STAMP)

# The system libraries WeasyPrint needs for the PDF letters (Pango; HarfBuzz-Subset since WeasyPrint 70; Debian/Ubuntu; apt needs root):
# installed only when WeasyPrint cannot load them.
system-deps: $(STAMP)
	@$(PY) -c "import weasyprint" 2>/dev/null && (ldconfig -p | grep -q libharfbuzz-subset.so.0) && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	  || (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core) \
	  || echo "note: no Pango (apt needs root): the demo writes its letters as HTML and text, not PDF"

demo: $(STAMP) system-deps
	$(PY) -m demo.run

# pytest-xdist --dist loadgroup: the tests of one Spark module share one worker (one JVM)
test: $(STAMP)
	$(PY) -m ruff check src tests benchmarks demo
	$(PY) -m mypy
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks demo
	$(PY) -m ruff format --check src tests benchmarks demo

typecheck: $(STAMP)
	$(PY) -m mypy

check: lint typecheck test

bench: $(STAMP)
	$(PY) -m benchmarks --tier quick

bench-full: $(STAMP)
	$(PY) -m benchmarks --tier full

# outside CI (about an hour on 2 cores): 100k / 300k / 1M payments through the in-process,
# process and Spark local executors → benchmarks/results/scale.md (docs/benchmarks.md)
bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
