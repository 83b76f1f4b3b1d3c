# itaku: `make demo` serves the application with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ITAKU_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint messages

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	ITAKU_DEMO=1 $(BIN)/itaku migrate --noinput -v0
	ITAKU_DEMO=1 $(BIN)/itaku collectstatic --noinput -v0
	ITAKU_DEMO=1 $(BIN)/itaku demo --if-empty
	ITAKU_DEMO=1 $(BIN)/itaku serve

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest

messages: $(STAMP)
	cd src/itaku && ../../$(BIN)/itaku makemessages -l ja -l en --no-obsolete --no-location && ../../$(BIN)/itaku compilemessages
