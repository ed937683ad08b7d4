# The whole setup is `make extract` and `make test`; both create .venv if it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= outputs
JOBS ?= 2

.PHONY: extract test eval bench lint type check clean notebook

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ner]'
	@touch $(STAMP)

extract: $(STAMP)  ## run the pipeline over corpus/ into outputs/
	$(PY) -m pipeline extract corpus/seeds corpus/dev corpus/real corpus/pool corpus/holdout --out $(OUT) --jobs $(JOBS)

test: $(STAMP)  ## unit tests, example tables, quality gate, end-to-end
	$(PY) -m pytest

eval: $(STAMP)  ## precision/recall/F1 per field against gold, every group without and with NER side by side
	$(PY) -m pipeline eval --corpus corpus --ner both

bench: $(STAMP)  ## chars/s vs plain jieba (pipeline without and with NER) and peak memory, corpus replicated to >= 5 MB
	$(PY) -m pipeline bench corpus --mb 5 --ner both

lint: $(STAMP)
	$(PY) -m ruff check pipeline tests

type: $(STAMP)
	$(PY) -m mypy pipeline

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
