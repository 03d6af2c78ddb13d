# The two set-up commands of the README. Each makes .venv if needed, installs
# what it needs into it (only when the sources changed since), and runs.
#   make demo   the runtime only (numpy, sentencepiece, LiteRT, prompt-toolkit) + the demo
#   make test   + TensorFlow, wordfreq and the test tools, then the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_SOURCES := pyproject.toml $(shell find engine demo cli -type f -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: demo test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# A stamp per install, so a second `make demo` starts the demo at once.
$(VENV)/.runtime-installed: $(BIN)/python $(RUNTIME_SOURCES)
	@echo "installing nextkey's runtime into $(VENV) (first run: about a minute)"
	$(BIN)/python -m pip install -q --disable-pip-version-check . 2>&1 | grep -v "^\s*$$" || true
	$(BIN)/python -c "import nextkey.engine"
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[train,dev]'
	touch $@

demo: $(VENV)/.runtime-installed
	$(BIN)/nextkey demo

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q

# The native engine (native/README.md): needs cmake, g++, libsentencepiece-dev, libutf8proc-dev,
# nlohmann-json3-dev, and the venv's ai-edge-litert (for libLiteRt.so).
.PHONY: native
native: $(BIN)/python
	@# the venv's LiteRT: from `make test`'s editable install if there is one (a runtime install
	@# of the package over it would shadow the working tree), else from `make demo`'s
	@test -f $(VENV)/.dev-installed || $(MAKE) $(VENV)/.runtime-installed
	cmake -S native -B native/build -DNEXTKEY_PYTHON=$(abspath $(BIN)/python)
	cmake --build native/build -j2
	native/build/kit_runner engine/default_bundle engine/conformance/default.json
