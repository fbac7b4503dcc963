# Two commands do all the set-up on a fresh machine:
#   make demo   installs dualuse, its plugins and the explore extra in .venv (no developer tools)
#               and runs the main job on the bundled sample data
#   make test   adds the developer tools (pytest, mypy, ruff, mkdocs, playwright) and runs the tests
# scripts/venv-install uses uv when it can (set DUALUSE_INSTALLER=pip to use pip).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
LOCAL_PACKAGES := -e plugins/dualuse-comtrade -e plugins/dualuse-sanctions -e docs/example-plugin
INSTALL := PYTHON=$(PYTHON) sh scripts/venv-install $(VENV)

.PHONY: demo test lint docs bench clean

$(RUNTIME): pyproject.toml plugins/*/pyproject.toml docs/example-plugin/pyproject.toml
	@$(INSTALL) "dualuse, its plugins and the explore extra (runtime only)" -e '.[explore]' $(LOCAL_PACKAGES)
	@touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	@$(INSTALL) "the developer tools (tests, lint, docs)" -e '.[dev,explore]' $(LOCAL_PACKAGES)
	@touch $(STAMP)

demo: $(RUNTIME)
	@echo '==> running the demo: dualuse demo --out demo-output'
	$(BIN)/dualuse demo --out demo-output

PLUGINS := plugins/dualuse-comtrade plugins/dualuse-sanctions docs/example-plugin

test: $(STAMP)
	$(BIN)/pytest -q -n auto --dist loadgroup tests src/dualuse $(foreach p,$(PLUGINS),$(p)/tests $(p)/src)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks plugins docs/example-plugin
	$(BIN)/ruff format --check src tests benchmarks plugins docs/example-plugin
	$(BIN)/mypy
	$(foreach p,$(PLUGINS),$(BIN)/mypy $(p)/src $(p)/tests &&) true
	$(BIN)/lint-imports

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) site demo-output
