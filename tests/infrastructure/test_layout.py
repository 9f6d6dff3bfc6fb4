"""The layout shows the architecture, and docs/ tells the truth about the code.

- No module of the core (contracts, extraction, delivery, archives and the settings) imports
  boto3, botocore, Powertools or the AWS edges, and each folder imports only what its rules allow.
- The reference indexer (src/pagesift_index) is a consumer like any other: it imports nothing
  of pagesift's code, and only its adapter (aws.py) imports boto3 or botocore.
- Every path docs/ and README.md name exists.
- The event names, failure kinds and stages, configuration, parameters and metrics that
  docs/contracts.md lists, and the retry figures of docs/reliability.md, are the code's and
  the template's.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pagesift.aws.clients import CLIENT_CONFIG, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, TOTAL_ATTEMPTS
from pagesift.aws.eventbridge import ENTRY_ATTEMPTS
from pagesift.aws.observability import ARCHIVE_TASKS, DUPLICATES_SKIPPED, EXTRACTION_MEASURES, OUTCOME_METRICS, TRANSIENT_FAILURES
from pagesift.config import REQUIRED
from pagesift.contracts.errors import ErrorKind, Stage
from pagesift.contracts.events import DetailType
from pagesift.contracts.schemas import SCHEMA_FILES, load

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "functions" / "pagesift"
AWS = PACKAGE / "aws"
# What each folder of the core may import of pagesift besides itself (and the package's version).
ALLOWED = {
    "contracts": (),
    "extraction": ("contracts",),
    "archives": ("contracts", "extraction"),
    # Web archives only through delivery/ports.py's ArchiveRuns, which a composition root fills.
    "delivery": ("contracts", "extraction"),
}
CORE_FOLDERS = ("contracts", "extraction", "delivery", "archives")
CORE = [path for folder in CORE_FOLDERS for path in sorted((PACKAGE / folder).rglob("*.py"))] + [PACKAGE / "config.py"]
DOCS = ROOT / "docs"
CONTRACTS = (DOCS / "contracts.md").read_text(encoding="utf-8")
FORBIDDEN_IN_CORE = ("boto3", "botocore", "aws_lambda_powertools", "aws_xray_sdk", "moto", "pagesift.aws")


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    base = ROOT / "functions" if path.is_relative_to(ROOT / "functions") else ROOT / "src"
    package = ".".join(path.relative_to(base).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_knows_nothing_of_aws(path: Path) -> None:
    bad = sorted(name for name in imported_modules(path) if name.startswith(FORBIDDEN_IN_CORE))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: the core talks to AWS only through its ports"


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_folder_imports_only_what_its_rules_allow(folder: str) -> None:
    allowed = tuple(f"pagesift.{name}" for name in (folder, *ALLOWED[folder]))
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        ours = {name for name in imported_modules(path) if name == "pagesift" or name.startswith("pagesift.")}
        bad = sorted(name for name in ours if name not in ("pagesift", "pagesift.__version__") and not name.startswith(allowed))
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}: {folder}/ may use only {', '.join(allowed)}"


INDEXER = ROOT / "src" / "pagesift_index"
INDEXER_ADAPTERS = ("aws.py",)


@pytest.mark.parametrize("path", sorted(INDEXER.glob("*.py")), ids=lambda p: p.name)
def test_the_indexer_uses_only_the_contracts_and_talks_to_aws_in_its_adapter(path: Path) -> None:
    names = imported_modules(path)
    theirs = sorted(n for n in names if n in ("pagesift", "pagesift_local") or n.startswith(("pagesift.", "pagesift_local.")))
    assert not theirs, f"{path.relative_to(ROOT)} imports {theirs}: an indexer knows pagesift by its events and documents alone"
    if path.name not in INDEXER_ADAPTERS:
        aws = sorted(name for name in names if name.startswith(FORBIDDEN_IN_CORE))
        assert not aws, f"{path.relative_to(ROOT)} imports {aws}: only {', '.join(INDEXER_ADAPTERS)} talks to AWS"


def test_the_check_sees_relative_imports() -> None:
    assert "pagesift.aws.observability.count" in imported_modules(AWS / "handler.py")  # from .observability import count


def test_the_composition_root_is_the_only_module_that_builds_clients() -> None:
    for path in [*CORE, *AWS.rglob("*.py")]:
        if path.name == "clients.py":
            continue
        assert "boto3.client(" not in path.read_text(encoding="utf-8"), f"{path} builds its own client"


def _named_paths(text: str) -> set[str]:
    candidates = re.findall(r"`([A-Za-z0-9_./-]+)`", text) + re.findall(r"\]\(([A-Za-z0-9_./-]+)\)", text)
    return {c for c in candidates if "/" in c and not c.startswith(("http", "s3:", "/", "../")) and "<" not in c and "…" not in c}


@pytest.mark.parametrize("document", [*sorted(DOCS.glob("*.md")), ROOT / "README.md"], ids=lambda p: p.name)
def test_every_path_the_docs_name_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = []
    for name in sorted(_named_paths(text)):
        name = name.rstrip(".,")
        if name.startswith(("documents/", "pagesift-", ".venv")) or re.fullmatch(r"[\d/]+", name):
            continue  # document keys, bucket names, files a run makes, and dates, in examples
        if not any((base / name).exists() for base in (ROOT, DOCS, ROOT / "functions", PACKAGE)):
            missing.append(name)
    assert not missing, f"{document.name} names paths that do not exist: {missing}"


def test_nothing_in_the_product_points_outside_the_repository() -> None:
    product = [ROOT / "README.md", ROOT / "template.yaml", *DOCS.glob("*.md"), *(ROOT / "functions").rglob("*.py"), *(ROOT / "functions").rglob("*.json")]
    for path in product:
        assert "DESIGN.md" not in path.read_text(encoding="utf-8"), f"{path} points at a design outside the repository"


def test_every_event_has_its_schema_and_its_row_in_the_contracts() -> None:
    assert set(SCHEMA_FILES) == {"document"} | {detail.value for detail in DetailType}
    for detail in DetailType:
        assert load(detail.value)["properties"]["detail-type"] == {"const": detail.value}
        assert f"| `{detail.value}` |" in CONTRACTS
        assert f"`{SCHEMA_FILES[detail.value]}`" in CONTRACTS


def test_every_failure_kind_is_in_the_contracts_with_its_stages() -> None:
    section = CONTRACTS.split("### Failure types")[1].split("## ")[0]
    rows = dict(re.findall(r"^\| `([A-Za-z]+)` \| ([a-z, ]+) \|", section, re.MULTILINE))
    assert set(rows) == {kind.value for kind in ErrorKind}
    raised: dict[str, set[str]] = {}
    for path in [*CORE, *AWS.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for kind, stage in re.findall(r"kind=ErrorKind\.([A-Z_]+),\s*stage=Stage\.([A-Z]+)", text):
            raised.setdefault(ErrorKind[kind].value, set()).add(Stage[stage].value)
    assert {kind: set(stages.split(", ")) for kind, stages in rows.items()} == raised


def test_the_retry_figures_in_the_docs_are_the_codes() -> None:
    reliability = (DOCS / "reliability.md").read_text(encoding="utf-8")
    assert CLIENT_CONFIG.retries == {"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS}
    assert f"{TOTAL_ATTEMPTS} calls at most" in reliability
    assert f"{ENTRY_ATTEMPTS} attempts" in reliability
    assert f"{CONNECT_TIMEOUT_SECONDS} s connect and {READ_TIMEOUT_SECONDS} s read timeout" in reliability


def _template() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=Loader)


def test_the_configuration_in_the_contracts_is_the_templates() -> None:
    template = _template()
    env = {
        *template["Globals"]["Function"]["Environment"]["Variables"],
        *template["Resources"]["ExtractFunction"]["Properties"].get("Environment", {}).get("Variables", {}),
    }
    section = CONTRACTS.split("### The function's environment")[1].split("###")[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)
    listed = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z_]+)`", cell)}
    assert env == listed and set(REQUIRED) <= listed
    parameters = CONTRACTS.split("### The template's parameters")[1].split("## ")[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", parameters, re.MULTILINE)
    assert set(template["Parameters"]) == {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Za-z]+)`", cell)}


def test_the_metrics_in_the_contracts_are_the_codes() -> None:
    section = CONTRACTS.split("## Metrics and logs")[1]
    listed = set(re.findall(r"`([A-Z][A-Za-z]+)`", section)) - {"Pagesift"}
    emitted = {name for name, _level, _message in OUTCOME_METRICS.values()}
    emitted |= {name for name, _unit, _field in EXTRACTION_MEASURES} | {DUPLICATES_SKIPPED, TRANSIENT_FAILURES, ARCHIVE_TASKS}
    assert listed == emitted


def test_the_single_page_path_does_not_import_the_warc_reader() -> None:
    # The extract function hands archives over by their first bytes (archives/recognition.py);
    # reading them (FastWARC, the framing) is the archive function's alone.
    code = (
        "import sys; import extract.compose; "
        "print(sorted(m for m in sys.modules if m.startswith(('pagesift.archives.warc', 'fastwarc'))))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"
    assert not [name for name in imported_modules(PACKAGE / "delivery" / "pipeline.py") if name.startswith("pagesift.archives")]
