# The two commands a newcomer types: `make book` and `make test`.
# Each first creates the virtual environment in .venv and installs the CJK font.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
YEAR   ?=
ENTITY ?=
UV_VERSION := 0.13.9
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
# uv uses this machine's Python (never downloads one) and compiles bytecode at install, so that
# every notebook kernel imports pandas/statsmodels from .pyc even where PYTHONDONTWRITEBYTECODE=1.
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1

.PHONY: translations book pdf pdf-tools test install lock font validate refresh-notebooks check-notebooks benchmark benchmark-setup format coverage clean distclean

install: $(STAMP)

# uv itself, pinned, in a small tools environment of its own (the only thing pip installs).
$(UV):
	@echo "Setting up uv $(UV_VERSION) in $(TOOLS)/ …"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION) 2>&1 | grep -v "is ignored" || true
	@$(UV) --version

# Exactly the versions in uv.lock (--frozen: the lock is never re-resolved here).
$(STAMP): pyproject.toml uv.lock | $(UV)
	@echo "Installing the locked environment (uv.lock) into $(VENV)/ …"
	@$(UV) sync --frozen --extra test --python $(PYTHON)
	@$(BIN)/python -c "import analysis, papermill, jupyter_book, statsmodels, pandera, nbval"
	@touch $(STAMP)

# Deliberate version change: re-resolve the lock, install it, re-execute the committed notebooks.
# Review and commit uv.lock and notebooks/ together.
lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(UV) export --frozen --no-emit-project --extra test --format requirements-txt -q -o requirements.txt
	$(MAKE) install font
	$(BIN)/python -m analysis refresh-notebooks

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

# The print edition: the built site as one PDF (cover, contents, page numbers, fonts embedded) in
# _build/pdf/report.pdf, printed by Debian's Chromium (headless, offline); poppler-utils reads the
# printed page numbers back for the contents.
pdf: book pdf-tools
	$(BIN)/python -m analysis pdf

# Chromium and poppler-utils from Debian's packages, installed the way `font` installs the font.
pdf-tools:
	@PKGS=; command -v chromium >/dev/null 2>&1 || PKGS="chromium"; \
	command -v pdfinfo >/dev/null 2>&1 || PKGS="$$PKGS poppler-utils"; \
	if [ -n "$$PKGS" ]; then \
	  echo "Installing Debian packages:$$PKGS"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$PKGS >/dev/null; \
	fi

# Run every test: lint, library, bad-input and fault suites, entity × year matrices, nbval on the
# notebooks, book build, the PDF print (so Chromium is installed too).
test: install font pdf-tools
	$(BIN)/python -m pytest

# The whole suite with line coverage of src/analysis (slower: every matrix case is traced).
coverage: install font pdf-tools
	$(BIN)/python -m pytest --cov=analysis --cov-report=term-missing:skip-covered

# ruff: `make format` rewrites the code in the house style and applies the safe lint fixes;
# `make test` fails on anything left (tests/test_lint.py).
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After a deliberate change: re-execute the committed notebooks and store their outputs.
refresh-notebooks: install font
	$(BIN)/python -m analysis refresh-notebooks

# After a change to the prose of a notebook or of book/: update the gettext catalogs of locales/
# (existing translations are kept; new or changed messages are listed for translation).
translations: install
	$(BIN)/python -m analysis translations

check-notebooks: install font
	$(BIN)/python -m analysis refresh-notebooks --check

benchmark: install font
	$(BIN)/python benchmarks/run.py

# Fresh clones: time `make install` (new .venv) and `make test`; check the installed versions
# against uv.lock. Writes benchmarks/setup_results.md, which `make benchmark` includes.
benchmark-setup:
	$(PYTHON) benchmarks/setup.py --runs 3

clean:
	rm -rf _build .cache

distclean: clean
	rm -rf $(VENV) $(TOOLS)
