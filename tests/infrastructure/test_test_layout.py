"""The test folders keep their kinds apart.

- tests/unit holds pure tests on in-memory fakes: no file there imports moto, boto3, botocore or
  the mocked account's module (tests/support/aws.py), asks pytest.importorskip for them, or
  requests one of that module's fixtures.
- Those fixtures are exposed only by the conftest.py of folders whose tests run on moto.
- Every test file lives in one of the folders below, by its kind.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
UNIT = TESTS / "unit"
AWS_SUPPORT = TESTS / "support" / "aws.py"
FOLDERS = ("unit", "adapters", "handlers", "integration", "infrastructure")
ON_MOTO = ("adapters", "handlers", "integration")
FORBIDDEN_IN_UNIT = ("moto", "boto3", "botocore", "tests.support.aws")
IMPORTERS = ("pytest.importorskip", "importorskip", "importlib.import_module", "import_module", "__import__")


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _decorator_name(decorator: ast.expr) -> str:
    return ast.unparse(decorator.func if isinstance(decorator, ast.Call) else decorator)


def defined_fixtures(tree: ast.Module) -> set[str]:
    """The fixtures a module defines (functions decorated with pytest.fixture, called or not)."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(_decorator_name(d) in ("pytest.fixture", "fixture") for d in node.decorator_list)
    }


MOTO_FIXTURES = defined_fixtures(_parse(AWS_SUPPORT))


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module a file imports, at the top or inside a function, with the names it takes from
    each (``from a import b`` gives ``a`` and ``a.b``), and every module it imports by name."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in IMPORTERS:
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def requested_fixtures(tree: ast.Module) -> set[str]:
    """The fixtures a file's tests and fixtures ask for: their parameters, and usefixtures marks."""
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorators = [_decorator_name(d) for d in node.decorator_list]
        if node.name.startswith("test") or any(d in ("pytest.fixture", "fixture") for d in decorators):
            arguments = node.args
            names.update(a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs])
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("usefixtures"):
            names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return names


def _forbidden(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f"{f}.") for f in FORBIDDEN_IN_UNIT))


def _exposed_moto_fixtures(conftest: Path) -> set[str]:
    """The mocked account's fixtures a conftest.py defines or imports (pytest finds both)."""
    tree = _parse(conftest)
    exposed = defined_fixtures(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            exposed.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            exposed.update(alias.asname or alias.name for alias in node.names)
    return exposed & MOTO_FIXTURES


def test_the_checks_know_the_mocked_accounts_fixtures() -> None:
    assert {"account", "app"} <= MOTO_FIXTURES


def test_the_checks_see_what_they_look_for() -> None:
    tree = ast.parse(
        "import boto3\n"
        "from tests.support import aws\n"
        "@pytest.fixture\n"
        "def world(app):\n"
        "    from botocore.exceptions import ClientError\n"
        "@pytest.mark.usefixtures('context')\n"
        "def test_one(account, *, tmp_path):\n"
        "    moto = pytest.importorskip('moto')\n"
        "def helper(not_a_fixture):\n"
        "    pass\n"
    )
    assert _forbidden(imported_modules(tree)) == [
        "boto3", "botocore.exceptions", "botocore.exceptions.ClientError", "moto", "tests.support.aws",
    ]
    assert requested_fixtures(tree) == {"app", "account", "tmp_path", "context"}
    assert "pytest.importorskip" not in _forbidden({"pytest.importorskip", "motor", "boto3x"})


def test_unit_tests_import_nothing_of_aws() -> None:
    files = sorted(UNIT.rglob("*.py"))
    assert files
    bad = {str(p.relative_to(TESTS)): found for p in files if (found := _forbidden(imported_modules(_parse(p))))}
    assert not bad, f"tests/unit is for pure tests on the fakes; these import AWS or moto: {bad}"


def test_unit_tests_request_no_fixture_of_the_mocked_account() -> None:
    bad = {
        str(p.relative_to(TESTS)): sorted(found)
        for p in sorted(UNIT.rglob("*.py"))
        if (found := requested_fixtures(_parse(p)) & MOTO_FIXTURES)
    }
    assert not bad, f"tests/unit is for pure tests on the fakes; these ask for the mocked account: {bad}"


def test_the_mocked_accounts_fixtures_are_exposed_only_where_tests_run_on_moto() -> None:
    conftests = sorted(TESTS.rglob("conftest.py"))
    exposing = {p.parent.relative_to(TESTS).as_posix(): _exposed_moto_fixtures(p) for p in conftests}
    bad = {folder: sorted(names) for folder, names in exposing.items() if names and folder not in ON_MOTO}
    assert not bad, f"only {', '.join(ON_MOTO)} may expose the mocked account's fixtures: {bad}"
    assert exposing["adapters"] == exposing["handlers"] == MOTO_FIXTURES


def test_every_test_file_lives_in_a_folder_of_its_kind() -> None:
    placed = [p.relative_to(TESTS).parts for p in sorted(TESTS.rglob("test_*.py"))]
    misplaced = ["/".join(parts) for parts in placed if len(parts) != 2 or parts[0] not in FOLDERS]
    assert not misplaced, f"test files belong in tests/{{{','.join(FOLDERS)}}}/: {misplaced}"
