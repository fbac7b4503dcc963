# Two commands do all the set-up on a fresh machine:
#   make demo   installs dualuse in .venv and runs the main job on the bundled sample data
#   make test   installs dualuse (with its plugins and dev tools) and runs the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs bench clean

$(STAMP): pyproject.toml plugins/*/pyproject.toml docs/example-plugin/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e plugins/dualuse-comtrade -e plugins/dualuse-sanctions -e docs/example-plugin
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dualuse demo --out demo-output

PLUGINS := plugins/dualuse-comtrade plugins/dualuse-sanctions docs/example-plugin

test: $(STAMP)
	$(BIN)/pytest -q -n auto tests src/dualuse $(foreach p,$(PLUGINS),$(p)/tests $(p)/src)

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
