# Two commands on a fresh machine (needs python3 >= 3.11 and make): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-dlc lint install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "behavlab needs Python >= 3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/behavlab demo --dir .demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 2

# DeepLabCut in an environment of its own, as labs keep it: behavlab[dlc] with the torch/torchvision pair pip
# takes from this machine's disk (x86_64: a CUDA build, about 6.8 GB installed; PyTorch's CPU-only wheels are
# not on PyPI, and the CPU torch file here has no torchvision to match). One OpenCV build only: DeepLabCut needs
# the headless one, so a dependency's opencv-python would be swapped for it.
DLC_VENV := .venv-dlc
DLC_STAMP := $(DLC_VENV)/.installed
DLC_TORCH ?= torch==2.14.1 torchvision==0.29.1

$(DLC_STAMP): pyproject.toml
	@test -x $(DLC_VENV)/bin/python || $(PYTHON) -m venv $(DLC_VENV)
	$(DLC_VENV)/bin/python -m pip install -qq --upgrade pip
	$(DLC_VENV)/bin/python -m pip install -qq -e '.[dlc]' $(DLC_TORCH)
	@if $(DLC_VENV)/bin/python -m pip show -qq opencv-python >/dev/null 2>&1; then \
	  echo "test-dlc: replacing opencv-python with opencv-python-headless"; \
	  $(DLC_VENV)/bin/python -m pip uninstall -qq -y opencv-python; \
	  $(DLC_VENV)/bin/python -m pip install -qq --force-reinstall --no-deps opencv-python-headless; fi
	@$(DLC_VENV)/bin/python -m pip list 2>/dev/null | grep -i opencv
	@touch $(DLC_STAMP)

# The DeepLabCut round trip (tests marked dlc): train a tiny project on the CPU, analyse, score.
test-dlc: $(STAMP) $(DLC_STAMP)
	BEHAVLAB_DLC_PYTHON=$(CURDIR)/$(DLC_VENV)/bin/python $(BIN)/python -m pytest -m dlc tests/behavlab/cli/test_pose_run_dlc.py

clean:
	rm -rf $(VENV) $(DLC_VENV) .demo .pytest_cache .ruff_cache .hypothesis
