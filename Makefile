# Gut Feelings — the verbs. `make lab` to learn, `make test` to check everything.
# Set-up is incremental: the venv is rebuilt only when environment.yml or pyproject.toml change.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
TEST_READY := $(VENV)/.test-ready
QUIZ_SOURCES := $(shell find quizzes/source -type f -name '*.ipynb' 2>/dev/null)
RELEASED := quizzes/release/.built
# Jupyter refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888

.PHONY: help setup lab instructor lock test test-fast test-browser bench bench-browser student site clean

help:
	@echo "make lab      set up (first time only) and open the course in JupyterLab (the learner's view)"
	@echo "make instructor   the same JupyterLab with nbgrader's instructor tools (formgrader, Validate, ...)"
	@echo "make lock     re-derive requirements.lock (+ requirements-test.lock) after changing a pin"
	@echo "make test     set up (incl. test tools and Chromium) and run every test"
	@echo "make student  build the quizzes' student versions (quizzes/release/)"
	@echo "make bench    run the benchmarks (medians, not pass/fail)"
	@echo "make site     build the course website into site/ (docs/site.md)"
	@echo "make test-browser   only the browser tests (JupyterLab + headless Chromium)"
	@echo "make clean    remove the virtualenv and generated quiz folders"

# A bare venv with a recent pip (enough for `make lock`).
$(BIN)/python:
	@echo "First run: setting up the course in $(VENV)/. This takes a few minutes (Python packages are"
	@echo "downloaded and installed); later runs start at once."
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Gut Feelings needs Python 3.11 (environment.yml pins it); found " + sys.version.split()[0] + ". Run with PYTHON=python3.11 make ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"

# pip byte-compiles the installed files one at a time (28 s of its 47 s here); compileall on every
# core takes 20 s. The .pyc files are made here because the grading sandbox's venv is read-only.
# The packages' own test suites (2,472 of 10,529 files, pandas/tests alone 1,143) are never
# imported: skipping them takes the whole venv from 27 s to 18 s.
COMPILE := $(BIN)/python -c "import compileall, re, sysconfig; compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0, rx=re.compile(r'[/\\\\]tests[/\\\\]'))"
# The test tools only: the files installed after $(READY) (walking the whole venv again took 8 s).
COMPILE_NEWER := find "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
  -name '*.py' -newer $(READY) -not -path '*/tests/*' -print0 | xargs -0 -r $(BIN)/python -m compileall -q

# The whole locked environment (requirements.lock, derived from environment.yml by `make lock`;
# the check fails, saying so, when a pin changed without `make lock`).
$(READY): environment.yml pyproject.toml requirements.lock tools/pins.py tools/lock.py | $(BIN)/python
	@echo "Installing the course's pinned packages (requirements.lock) into $(VENV)/: a few minutes the first time..."
	@$(BIN)/python tools/lock.py --check
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python tools/lock.py --trim
	$(COMPILE)
	@touch $@

lock: | $(BIN)/python
	$(BIN)/python tools/lock.py

setup: $(READY)

$(TEST_READY): $(READY) pyproject.toml requirements-test.lock tools/ensure_chromium.sh tools/browser/package-lock.json
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-test.lock
	$(BIN)/python tools/lock.py --trim
	$(COMPILE_NEWER)
	bash tools/ensure_chromium.sh
	-bash tools/ensure_bwrap.sh
	-bash tools/ensure_postgres.sh
	@touch $@

$(RELEASED): $(READY) $(QUIZ_SOURCES) nbgrader_config.py
	@echo "Building the quizzes' student versions (quizzes/release/)..."
	@$(BIN)/python tools/build_quizzes.py
	@touch $@

student: $(RELEASED)

# Two views of one JupyterLab, configured by jupyter-config/<view>/ (page_config.json,
# jupyter_server_config.json) put on JUPYTER_CONFIG_PATH, and the course's JupyterLab extension
# (jupyter-config/data/labextensions/) on JUPYTER_PATH: your own ~/.jupyter still applies.
# Binder's `start` does the same for the learner's view.
lab: $(RELEASED)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config/learner$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	JUPYTER_PATH="$(CURDIR)/jupyter-config/data$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/lessons/00_start_here.ipynb $(ROOT_FLAG)

instructor: $(RELEASED)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config/instructor$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	JUPYTER_PATH="$(CURDIR)/jupyter-config/data$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/quizzes/source $(ROOT_FLAG)

# Parallel workers (pytest-xdist; tests sharing a JupyterLab Run All, a grading batch or another
# shared fixture stay on one worker: tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

test: $(TEST_READY) $(RELEASED)
	$(PYTEST) $(PYTEST_ARGS)

test-fast: $(TEST_READY)
	$(PYTEST) -m "not browser and not notebook and not grading" $(PYTEST_ARGS)

test-browser: $(TEST_READY) $(RELEASED)
	$(PYTEST) tests/browser -m browser $(PYTEST_ARGS)

bench: $(READY)
	$(BIN)/python benchmarks/run.py

bench-browser: $(TEST_READY)
	$(BIN)/python benchmarks/bench_browser.py

# The course as a website (docs/site.md): lessons executed in the site's display mode, Sphinx +
# myst-nb; unchanged lessons are taken from the execution cache in build/site-cache/.
site: $(READY)
	$(BIN)/python -m gutbrain.site

clean:
	rm -rf site build $(VENV) quizzes/release quizzes/submitted quizzes/autograded quizzes/feedback quizzes/gradebook.db

# Instructor verbs (release, collect, grade, feedback, export, report): see docs/instructor_guide.md
-include mk/instructor.mk
