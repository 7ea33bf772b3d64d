# The demo needs the face engine only; the tests need everything. torch is installed first,
# pinned, so that pip takes the CPU build instead of pulling a multi-GB CUDA build.
VENV ?= .venv
PY := $(VENV)/bin/python
FACE := $(VENV)/.face-installed
ALL := $(VENV)/.installed
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

# --no-compile: byte-compiling every installed module took ~18 of the demo's ~44 s of installing;
# the demo compiles the few hundred modules it imports, once.
$(FACE): pyproject.toml | $(PY)
	$(PIP) install -q --no-compile -e '.$(DEMO_EXTRA)'
	touch $(FACE)

$(ALL): pyproject.toml | $(PY)
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
