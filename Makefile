# The two commands a newcomer types: `make book` and `make test`.
# Each first creates the virtual environment in .venv and installs the CJK font.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
YEAR   ?=
ENTITY ?=
PIP_QUIET := -q --disable-pip-version-check --no-warn-script-location

.PHONY: book test install font validate refresh-notebooks check-notebooks benchmark clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/pip install $(PIP_QUIET) -e '.[test]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import analysis, papermill, jupyter_book, statsmodels, pandera, nbval"
	touch $(STAMP)

# A CJK font from Debian's packages, so Chinese names in figures render (no missing glyphs).
font:
	@if fc-list :lang=zh 2>/dev/null | grep -q .; then :; else \
	  echo "Installing the CJK font (Debian package fonts-wqy-microhei)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	fi

validate: install
	$(BIN)/python -m analysis validate

# Build the whole book: execute the notebooks with papermill, then Jupyter Book -> _build/html
book: install font
	$(BIN)/python -m analysis build $(if $(YEAR),--year $(YEAR)) $(if $(ENTITY),--entity $(ENTITY))

# Run every test: library (with coverage), bad-input suite, nbval on the notebooks, book build.
test: install font
	$(BIN)/python -m pytest

# After a deliberate change: re-execute the committed notebooks and store their outputs.
refresh-notebooks: install font
	$(BIN)/python -m analysis refresh-notebooks

check-notebooks: install font
	$(BIN)/python -m analysis refresh-notebooks --check

benchmark: install font
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .cache
