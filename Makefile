# The two set-up commands of the README. Each makes .venv if needed, installs
# what it needs into it, and runs.
#   make demo   the runtime only (numpy, sentencepiece, LiteRT, prompt-toolkit) + the demo
#   make test   + TensorFlow and the test tools, then the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install -q .
	$(BIN)/nextkey demo

test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[train,dev]'
	$(BIN)/python -m pytest -q
