# `make demo`: set up, make the synthetic set, pretrain, evaluate, print a table.
# `make test`: set up, lint, run the whole test suite (what CI runs).
# `make test-fast`: the unit tests only (`pytest -m "not slow"`), the inner loop.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
METHOD ?= ascnet
STAMP := $(VENV)/.installed-stamp

.PHONY: install lint test test-fast demo clean

$(STAMP): requirements/ci.txt requirements/runtime.txt setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=23"
	$(PY) -m pip install -q -r requirements/ci.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(PY) -m flake8 .

test: lint
	OMP_NUM_THREADS=1 $(PY) -m pytest -q tests

test-fast: install
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -m "not slow" tests

demo: install
	$(PY) tools/demo.py --method $(METHOD)

clean:
	rm -rf work_dirs/demo data/synthetic data/synthetic_pool
