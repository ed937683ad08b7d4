# The whole setup is `make extract` and `make test`; both create .venv if it is missing.
# `make extract` installs the runtime only; `make test` (and lint, type, eval, bench) add the dev tools.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed-dev
OUT ?= outputs
JOBS ?= 2

.PHONY: extract test test-duckdb-min eval eval-variants bench fuzz lint type check clean notebook

$(RUNTIME): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(RUNTIME)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ner,dask,spacy]'
	@touch $(STAMP) $(RUNTIME)

extract: $(RUNTIME)  ## run the pipeline over corpus/ into outputs/
	$(PY) -m pipeline extract corpus/seeds corpus/dev corpus/real corpus/pool corpus/holdout --out $(OUT) --jobs $(JOBS) --export yes

test: $(STAMP)  ## unit tests, example tables, quality gate, end-to-end
	$(PY) -m pytest

# The store with the oldest DuckDB of the pinned range (pyproject): a side venv holding only that duckdb,
# borrowing every other package from .venv.
DUCKDB_MIN ?= 1.4.4
MINVENV := $(VENV)-duckdb-min
test-duckdb-min: $(STAMP)  ## store, search and extract tests with duckdb==$(DUCKDB_MIN)
	@test -x $(MINVENV)/bin/python || $(PYTHON) -m venv $(MINVENV)
	$(MINVENV)/bin/python -m pip install --quiet "duckdb==$(DUCKDB_MIN)"
	$(PY) -c "import sysconfig; print(sysconfig.get_path('purelib'))" > \
	  "$$($(MINVENV)/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")/zz_policy_extract.pth"
	$(MINVENV)/bin/python -c "import duckdb; assert duckdb.__version__ == '$(DUCKDB_MIN)', duckdb.__version__"
	$(MINVENV)/bin/python -m pytest -q -p no:cacheprovider tests/io/test_store.py tests/io/test_search.py \
	  tests/test_extract_cmd.py tests/io/test_outlock.py tests/io/test_dataset.py tests/io/test_exports.py \
	  tests/io/test_workbook_job.py

eval: $(STAMP)  ## precision/recall/F1 per field against gold, every group without and with NER side by side
	$(PY) -m pipeline eval --corpus corpus --ner both

eval-variants: $(STAMP)  ## the real documents full-width, traditional and hard-wrapped (a PDF copy): F1 must not move
	$(PY) -m pipeline.evaluation.variants --corpus corpus

bench: $(STAMP)  ## chars/s vs plain jieba (pipeline without and with NER) and peak memory, corpus replicated to >= 5 MB
	$(PY) -m pipeline bench corpus --mb 5 --ner both

fuzz: $(STAMP)  ## mutate the corpus into N damaged documents, run the CLI on them, check every row (not in make test)
	$(PY) -m pipeline.evaluation.fuzz --corpus corpus --n $(or $(N),10000)

lint: $(STAMP)
	$(PY) -m ruff check pipeline tests

type: $(STAMP)  ## mypy --strict (config in pyproject) on the package, and on the tests
	$(PY) -m mypy pipeline tests

check: lint type test eval

NBSTAMP := $(VENV)/.notebook
NBARGS ?=  # e.g. NBARGS="--no-browser --port=8890"

$(NBSTAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[notebook]'
	@touch $(NBSTAMP)

notebook: $(NBSTAMP)  ## install the notebook extra (JupyterLab), extract if OUT has no store, open notebooks/explore.ipynb
	@test -f $(OUT)/policy.duckdb || $(MAKE) extract
	POLICY_EXTRACT_OUT=$(abspath $(OUT)) $(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(NBARGS) notebooks/explore.ipynb

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
