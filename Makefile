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

$(PY):
	python3 -m venv $(VENV)

$(FACE): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.$(DEMO_EXTRA)'
	touch $(FACE)

$(ALL): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
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
