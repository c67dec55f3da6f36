# connect-participant — every target bootstraps .venv from pyproject.toml on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# RESOLUTION=lowest: the project's own dependencies at their declared floors (scripts/floors.py
# reads them from pyproject.toml), their dependencies at the newest that fit; CI runs the suite
# so in a venv of its own: make pytest VENV=.venv-floors RESOLUTION=lowest
RESOLUTION ?= newest
# the code generator and the release tools have their own venv: their pins (httpx < 0.29, rich >= 14.3)
# must not hold back the SDK's test environment
TOOLS_VENV := .venv-tools
TOOLS := $(TOOLS_VENV)/bin
TOOLS_STAMP := $(TOOLS_VENV)/.installed
SPEC := spec/connect-participant.openapi.json
GEN_PKG := connect_participant_api
GEN_CONFIG := scripts/generator-config.yaml
GEN_TEMPLATES := scripts/templates
GEN_TMP := .tmp/generate

.PHONY: venv spec generate generate-into check-generated lint test pytest docs docs-strict docs-serve bench demo emulator mutate clean package-check release

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1"
ifeq ($(RESOLUTION),lowest)
	$(BIN)/python scripts/floors.py --write $(VENV)/floors.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' -c $(VENV)/floors.txt
	$(BIN)/python scripts/floors.py --check
else
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' --group reference
endif
	$(BIN)/python -m pip check
	@touch $@

$(TOOLS_STAMP): pyproject.toml
	@test -x $(TOOLS)/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1"
	$(TOOLS)/python -m pip install -q --disable-pip-version-check --group generate --group release
	@touch $@

# Rebuild the OpenAPI document from AWS's service model (botocore, dev-only).
spec: $(STAMP)
	$(BIN)/python scripts/build_spec.py --output $(SPEC)

# Generate the low-level client. ruff must be on PATH for the generator's post-hooks.
define run_generator
	rm -rf $(1) && mkdir -p $(1)
	cd $(1) && PATH="$(abspath $(BIN)):$$PATH" PYTHONHASHSEED=0 $(abspath $(TOOLS))/openapi-python-client generate \
	    --path $(abspath $(SPEC)) --config $(abspath $(GEN_CONFIG)) \
	    --custom-template-path $(abspath $(GEN_TEMPLATES)) \
	    --meta none --output-path $(GEN_PKG) --fail-on-warning >/dev/null
	@# --meta none writes no PEP 561 marker; the package is typed, so add it here
	printf '# Marker file for PEP 561\n' > $(1)/$(GEN_PKG)/py.typed
	@# the generator keeps no schema for header/path parameters: their bounds come from the spec here
	$(abspath $(TOOLS))/python scripts/parameter_bounds.py --spec $(abspath $(SPEC)) --output $(1)/$(GEN_PKG)/_parameter_bounds.py
	$(abspath $(BIN))/ruff format --isolated --no-cache --line-length 120 -q $(1)/$(GEN_PKG)/_parameter_bounds.py
endef

generate: $(STAMP) $(TOOLS_STAMP)
	$(call run_generator,$(GEN_TMP))
	rm -rf generated/$(GEN_PKG)
	mkdir -p generated
	mv $(GEN_TMP)/$(GEN_PKG) generated/$(GEN_PKG)
	@echo "generated/$(GEN_PKG) written from $(SPEC)"

# Generate from any spec into any folder (the regeneration drill test uses it): make generate-into SPEC=... GEN_OUT=...
generate-into: $(STAMP) $(TOOLS_STAMP)
	$(call run_generator,$(GEN_OUT))

check-generated: $(STAMP) $(TOOLS_STAMP)
	$(call run_generator,.tmp/check-generated)
	@diff -r -q -x __pycache__ generated/$(GEN_PKG) .tmp/check-generated/$(GEN_PKG) \
	  || { echo "generated/ differs from what $(SPEC) produces: run 'make generate' and commit"; exit 1; }
	@echo "check-generated: generated/$(GEN_PKG) matches $(SPEC)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy facade emulator cli generated

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

# The docs site (MkDocs Material + mkdocstrings): site/ from docs/ and the public docstrings.
# Offline: no plugin fetches anything at build time. `make test` builds it with --strict, so a
# broken link, a reference to a renamed name or a public member without a docstring fails.
# (Not --quiet: it drops the warnings before --strict counts them. INFO lines are left out.)
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

docs: $(STAMP)
	$(MKDOCS) build --strict --site-dir site
	@echo "docs: site/index.html"

docs-strict: $(STAMP)
	set -o pipefail; $(MKDOCS) build --strict --site-dir .tmp/site 2>&1 | { grep -v '^INFO ' || true; }

docs-serve: $(STAMP)
	$(MKDOCS) serve

# The PyPI page and the archives: sdist + wheel built from a clean tree, `twine check` on both
DIST := .tmp/dist
package-check: $(TOOLS_STAMP)
	rm -rf $(DIST)
	$(TOOLS)/python -m build --outdir $(DIST) . >/dev/null  # the wheel is built from the sdist
	$(TOOLS)/python -m twine check --strict $(DIST)/*

test: check-generated lint docs-strict package-check pytest

# Everything but the upload: build, check, install the wheel alone in a fresh venv outside the
# checkout and use it (scripts/wheel_check.py), then print what would be uploaded.
release: package-check $(STAMP)
	$(BIN)/python scripts/wheel_check.py $(DIST)/*.whl
	@echo "release: would upload (twine upload $(DIST)/*):"
	@cd $(DIST) && for f in *; do printf '  %s  %s bytes  sha256 %s\n' "$$f" "$$(stat -c %s "$$f")" "$$(sha256sum "$$f" | cut -d' ' -f1)"; done

bench: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check --group bench
	$(BIN)/python -m bench

# Mutation testing of the policy modules (not in CI: long on 2 cores). MUTATE_ARGS, e.g.
# "--module _tokens --max-children 1"; the workspace is .tmp/mutate, kept for incremental runs.
MUTATE_ARGS ?=
mutate: $(STAMP)
	nice -n 10 $(BIN)/python scripts/mutate.py $(MUTATE_ARGS)

# The demo needs only the package and its runtime dependencies (no extra): a fresh clone installs
# just those; a .venv that has the dev extra already is used as it is.
DEMO_STAMP := $(VENV)/.installed-demo
$(DEMO_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test $(STAMP) -nt pyproject.toml || $(BIN)/python -m pip install -q --disable-pip-version-check -e .
	@touch $@

demo: $(DEMO_STAMP)
	$(BIN)/connect-participant demo

emulator: $(STAMP)
	$(BIN)/connect-participant emulator

clean:
	rm -rf .tmp .mypy_cache .ruff_cache site $(TOOLS_VENV)
