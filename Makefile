# One virtual environment for everything; torch is installed first, pinned, so that
# pip takes the CPU build instead of pulling a multi-GB CUDA build.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[plvm,dev]'
	touch $(STAMP)

demo: install
	$(PY) -m plvm_photos.demo

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) demo-library demo-photos bench-out
