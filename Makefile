# Two commands set up a fresh machine: `make demo` and `make test` (see README.md).
# CPython 3.13, as the function's Lambda runtime (template.yaml): the python3.13 on PATH, else
# pyenv's (whose shim answers only for the selected version)
PYTHON ?= $(shell for p in python3.13 $$(ls -d /root/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1); do "$$p" -c "" 2>/dev/null && { echo "$$p"; break; }; done)
# The SAM CLI lives in its own venv and runs on the machine's python3.11 (it only runs make)
SAM_PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP_VERSION := 25.3

.PHONY: install demo test lint sam-build clean

$(STAMP): pyproject.toml constraints.txt functions/extract/requirements.txt
	@# The machine's pip (23) is old: upgrade it inside the venv, pinned, before installing.
	@# lxml_html_clean, which trafilatura's jusText imports, is named in the requirements.
	@test -n "$(PYTHON)" || (echo "python3.13 not found: set PYTHON=/path/to/python3.13" >&2; exit 1)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -r functions/extract/requirements.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## demo: the embedded local stack on the sample pages and archive, one row per page; their events
## indexed (SQLite FTS5) and searched. The samples hold inputs that fail on purpose (an image
## saved as a page, two broken records of the archive): `local run` exits 3 when pages fail,
## which the demo expects. Each run's stack has new bucket names, so its index starts afresh.
DEMO_INDEX := $(VENV)/demo-index.sqlite3
demo: $(STAMP)
	rm -f $(DEMO_INDEX) $(DEMO_INDEX)-wal $(DEMO_INDEX)-shm
	$(BIN)/pagesift local run samples/pages samples/archives --log-file $(VENV)/demo-function.log --index $(DEMO_INDEX) || test $$? -eq 3
	$(BIN)/pagesift search "hibernation capsules" --db $(DEMO_INDEX) --limit 3

# checkov in its own venv, every package pinned: its pins (boto3 1.35) are not the project's.
CHECKOV_STAMP := .venv-checkov/.installed-stamp
$(CHECKOV_STAMP): tools/checkov-requirements.txt
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet --upgrade "pip==$(PIP_VERSION)"
	.venv-checkov/bin/python -m pip install --quiet --no-deps -r tools/checkov-requirements.txt
	touch $(CHECKOV_STAMP)

# --skip-download: checkov asks Prisma Cloud for guideline links otherwise (no network needed).
CHECKOV := .venv-checkov/bin/checkov -f template.yaml --framework cloudformation --skip-download --compact --quiet

## test: the linters (make lint), then the whole pytest suite (every folder of tests/)
test: lint
	$(BIN)/pytest

## lint: ruff (lint, complexity at 15, format check) and mypy on functions/ and src/ (settings in
## pyproject.toml), cfn-lint and checkov on the template
lint: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/ruff check functions src
	$(BIN)/ruff format --check functions src
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV)

## sam-build: the deployment artifact (arm64), checked: every native extension is aarch64, and the
## same recipe built for this machine (Linux) runs from the artifact alone beside boto3, as in Lambda
## (the SAM CLI lives in its own venv: it pins other boto3/pydantic versions)
CHECK := .aws-sam/check
# The architecture the function's Makefile builds for (a template test keeps it equal to the template's)
LAMBDA_ARCH := $(shell sed -n 's/^LAMBDA_ARCH ?= //p' functions/Makefile)
# The glibc of the function's runtime (functions/Makefile's RUNTIME_GLIBC, 2_34 -> 2.34)
RUNTIME_GLIBC := $(subst _,.,$(shell sed -n 's/^RUNTIME_GLIBC := //p' functions/Makefile))
ELF_MACHINE := $(if $(filter x86_64,$(LAMBDA_ARCH)),x86_64,aarch64)
sam-build:
	test -x .venv-sam/bin/sam || ($(SAM_PYTHON) -m venv .venv-sam && .venv-sam/bin/python -m pip install --quiet --upgrade "pip==$(PIP_VERSION)" && .venv-sam/bin/python -m pip install --quiet "aws-sam-cli==1.170.0")
	test -x .venv-runtime/bin/python || ($(PYTHON) -m venv .venv-runtime && .venv-runtime/bin/python -m pip install --quiet "boto3==1.44.5")
	.venv-sam/bin/sam build --template-file template.yaml
	.venv-runtime/bin/python tests/artifact/check_artifact.py machine .aws-sam/build/ExtractFunction $(ELF_MACHINE) $(RUNTIME_GLIBC)
	.venv-runtime/bin/python tests/artifact/check_artifact.py machine .aws-sam/build/ArchiveFunction $(ELF_MACHINE) $(RUNTIME_GLIBC)
	rm -rf $(CHECK) && mkdir -p $(CHECK) && cp -R functions $(CHECK)/source
	$(MAKE) --no-print-directory -C $(CHECK)/source build-ExtractFunction ARTIFACTS_DIR="$(CURDIR)/$(CHECK)/ExtractFunction" LAMBDA_ARCH=$$(uname -m)
	cd $(CHECK)/ExtractFunction && PYTHONPATH=. "$(CURDIR)/.venv-runtime/bin/python" "$(CURDIR)/tests/artifact/check_artifact.py" run "$(CURDIR)/samples/pages" "$(CURDIR)/tests/fixtures/pages"
	$(MAKE) --no-print-directory -C $(CHECK)/source build-ArchiveFunction ARTIFACTS_DIR="$(CURDIR)/$(CHECK)/ArchiveFunction" LAMBDA_ARCH=$$(uname -m)
	cd $(CHECK)/ArchiveFunction && PYTHONPATH=. "$(CURDIR)/.venv-runtime/bin/python" "$(CURDIR)/tests/artifact/check_artifact.py" handler archive.app
	du -sh .aws-sam/build/ExtractFunction .aws-sam/build/ArchiveFunction

clean:
	rm -rf $(VENV) .venv-sam .venv-runtime .venv-checkov .aws-sam .pytest_cache .hypothesis
