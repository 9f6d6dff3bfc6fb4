"""The command line's own rules, without AWS: which files are pages, the one-line errors and
their exit codes, the totals, and the table's columns (the AWS SDK's errors: tests/adapters)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from pagesift_local.cli.errors import explain
from pagesift_local.cli.files import find_inputs, why_not_a_page
from pagesift_local.cli.parser import main
from pagesift_local.cli.table import display_width, print_table
from pagesift_local.errors import CommandError, UsageError
from tests.support.pages import article_bytes

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


# -- which files are pages


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("index.php", article_bytes(), None),
        ("no-extension", article_bytes(), None),
        ("page.asp", gzip.compress(article_bytes()), None),
        ("utf16", "\ufeff<html><body><p>hello</p></body></html>".encode("utf-16"), None),
        ("logo", PNG, "PNG image"),
        ("style.css", b"body { color: red }", "text without HTML markup"),
        ("blank", b"  \n", "empty"),
        ("bad.bin", b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
    ],
)
def test_a_folder_file_is_a_page_by_its_content(tmp_path: Path, name: str, data: bytes, why: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert why_not_a_page(path) == why


def test_files_named_as_pages_or_named_alone_are_taken_whatever_they_hold(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "broken.html").write_bytes(PNG)  # named a page: its failure will say what it is
    (folder / "deep" / "er" / "ünï page+1").write_bytes(article_bytes())
    (folder / "logo.png").write_bytes(PNG)
    (folder / ".hidden.html").write_bytes(article_bytes())
    alone = tmp_path / "alone.png"
    alone.write_bytes(PNG)
    inputs = find_inputs([folder, alone])
    assert [name for _path, name in inputs.files] == ["broken.html", "deep/er/ünï page+1", "alone.png"]
    assert inputs.describe_skipped() == "skipped 1 file that is not a page (logo.png: PNG image)"


def test_a_folder_without_pages_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body {}")
    with pytest.raises(CommandError, match=r"no pages found in .*: skipped 1 file that is not a page \(a.css"):
        find_inputs([tmp_path]).require_files([tmp_path])
    with pytest.raises(CommandError, match="no such file or folder"):
        find_inputs([tmp_path / "missing"])


# -- errors and exit codes


def test_usage_errors_exit_2_and_bugs_are_not_explained_away() -> None:
    assert explain(UsageError("unknown template parameters: ['Bogus']")) == ("unknown template parameters: ['Bogus']", 2)
    assert explain(CommandError("no pages found")) == ("no pages found", 1)
    assert explain(KeyError("bug")) is None


def test_main_says_an_error_in_one_line_and_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().err == f"pagesift extract: no such file or folder: {tmp_path / 'missing'}\n"
    with pytest.raises(CommandError):
        main(["--debug", "extract", str(tmp_path / "missing")])
    assert main(["extract", str(tmp_path), "--jobs", "0"]) == 2


def test_main_prints_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("pagesift ")


# -- totals


def test_one_file_gets_its_summary_line_and_jsonl_makes_it_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "story.php"
    page.write_bytes(article_bytes())
    assert main(["extract", str(page), "--jobs", "1"]) == 0
    pretty = capsys.readouterr()
    assert pretty.err.splitlines()[-1] == "pagesift: 1 page: 1 document, 0 failed"
    assert json.loads(pretty.out)["source"]["path"] == str(page) and pretty.out.count("\n") > 10
    assert main(["extract", str(page), "--jobs", "1", "--jsonl"]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_failed_pages_exit_3_and_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.html").write_bytes(article_bytes())
    (tmp_path / "b.html").write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("a note")
    assert main(["extract", str(tmp_path), "--jobs", "1"]) == 3
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "pagesift: 2 pages: 1 document, 1 failed; skipped 1 file that is not a page (notes.txt: text without HTML markup)"
    )


def test_standard_input_is_a_page_named_dash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(article_bytes())))
    assert main(["extract", "-", "--jobs", "1", "--jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["path"] == "-"


# -- the table


def test_wide_characters_keep_the_columns_aligned() -> None:
    assert display_width("日本語") == 6 and display_width("e\u0301") == 1 and display_width("abc") == 3
    rows = [
        {"file": "日本語.html", "key": "日本語.html", "document": {"title": "标题", "language": "zh", "stats": {"words": 9}},
         "event": {"id": "e1", "detail": {"document": {"key": "documents/a.json"}}}},
        {"file": "plain.html", "key": "plain.html", "document": {"title": "Title", "language": "en", "stats": {"words": 12}},
         "event": {"id": "e2", "detail": {"document": {"key": "documents/b.json"}}}},
    ]
    out = io.StringIO()
    print_table(rows, out)
    lines = out.getvalue().splitlines()
    starts = {display_width(line[: line.index(event)]) for line, event in zip(lines[1:], ("e1", "e2"), strict=True)}
    assert len(starts) == 1


def test_files_and_endpoints_named_wrong_are_one_line_not_unexpected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert explain(FileNotFoundError(2, "No such file or directory", "/nonexistent/x.log")) == (
        "/nonexistent/x.log: No such file or directory", 1,
    )
    assert explain(ValueError("Invalid endpoint: notaurl")) == (
        "Invalid endpoint: notaurl: give it as http://host:port (what `pagesift local up` prints)", 2,
    )
    assert explain(ValueError("a bug")) is None
    assert main(["extract", "-", "-"]) == 2
    assert "standard input (-) can be named once" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [["extract", "x", "--max-input-bytes", "0"], ["redrive", "--limit", "0"], ["backfill", "s3://b/p", "--concurrency", "-1"],
     ["local", "run", "x", "--concurrency", "0"], ["search", "x", "--limit", "100000000000000000000"]],
)
def test_counts_and_sizes_must_be_whole_numbers_in_range(arguments: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 2


def test_a_file_named_alone_and_in_its_folder_is_one_input(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(article_bytes())
    inputs = find_inputs([tmp_path, tmp_path / "a.html", tmp_path])
    assert [name for _path, name in inputs.files] == ["a.html"]
