# `make demo`: set up, make the synthetic sets, pretrain, evaluate, print a
#   table and draw curves, with short budgets (7-22 min on an idle 2-core
#   machine: README, "make demo (quick)").
# `make demo-full`: the same with the configs' full schedules (the README's
#   full table; 27-86 min by machine kind).
# `make test`: set up, lint, run the whole test suite (what CI runs).
# `make test-fast`: the unit tests only (`pytest -m "not slow"`), the inner loop.
# `make mim`: OpenMMLab's mim in .venv (`mim train/test/search ascnet_mm`).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
METHOD ?= ascnet
STAMP := $(VENV)/.installed-stamp

.PHONY: install lint test test-fast demo demo-full mim clean

$(STAMP): requirements/ci.txt requirements/runtime.txt setup.py
	tools/install_ffmpeg_libs.sh
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

# openmim without its dependencies (they would pin setuptools, requests, rich,
# tqdm and urllib3 to old versions), plus what its commands import; egg_info
# writes ascnet_mm.egg-info here, where mim finds the package's .mim/ files
# when PYTHONPATH puts this folder first (an editable install's metadata lies
# in site-packages, where mim would look for ascnet_mm/.mim/).
mim: install
	$(PY) -m pip install -q -r requirements/mim.txt
	$(PY) -m pip install -q --no-deps openmim==0.3.9
	$(PY) setup.py -q egg_info

demo: install
	$(PY) tools/demo.py --method $(METHOD) --budget quick

demo-full: install
	$(PY) tools/demo.py --method $(METHOD) --budget full

clean:
	rm -rf work_dirs/demo data/synthetic data/synthetic_pool
