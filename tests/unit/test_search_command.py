"""`pagesift search` on an index made by the reference indexer: what it prints, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pagesift_index.chunking import chunk_markdown
from pagesift_index.sqlite import SqliteSink
from pagesift_local.cli import main

DOCUMENT = {
    "id": "a" * 32,
    "url": "https://harbour.example/timetable",
    "hostname": "harbour.example",
    "title": "New ferry timetable",
    "language": "en",
    "date": "2026-11-20",
    "page_type": "article",
    "markdown": "Lead.\n\n## Winter service\n\nThe night ferry leaves the quay every forty minutes.",
}


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "index.sqlite3"
    sink = SqliteSink.open(path)
    with sink.transaction():
        sink.upsert(DOCUMENT, chunk_markdown(DOCUMENT["id"], DOCUMENT["markdown"], min_words=0))
    sink.close()
    return path


def test_search_prints_title_url_type_and_the_passage_under_its_headings(
    index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "night ferry", "--db", str(index)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "1. New ferry timetable  [article]",
        "   https://harbour.example/timetable",
        "   Winter service: The **night** **ferry** leaves the quay every forty minutes.",
    ]


def test_search_as_json_lines_with_filters(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["search", "quay", "--db", str(index), "--json", "--since", "2026-11-01", "--host", "harbour.example"])
        == 0
    )
    [hit] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (hit["rank"], hit["document_id"], hit["heading_path"]) == (1, DOCUMENT["id"], ["Winter service"])
    assert main(["search", "quay", "--db", str(index), "--since", "2026-12-01"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "nothing in" in captured.err


def test_search_without_an_index_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "ferry", "--db", str(tmp_path / "missing.sqlite3")]) == 1
    assert (
        capsys.readouterr().err
        == f"pagesift search: no index at {tmp_path / 'missing.sqlite3'}: run `pagesift index` first\n"
    )


@pytest.mark.parametrize("arguments", [["--since", "last week"], ["--limit", "0"], ["--json", "--unknown"]])
def test_search_usage_errors_exit_2(index: Path, arguments: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["search", "ferry", "--db", str(index), *arguments])
    assert raised.value.code == 2


@pytest.mark.parametrize(("arguments", "says"), [
    (["   "], "the query is empty"),
    (["ferry", "--page-type", "blog"], "--page-type 'blog' is not one of article, forum"),
])
def test_search_refuses_an_empty_query_and_an_unknown_page_type(
    index: Path, arguments: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", *arguments, "--db", str(index)]) == 2
    assert says in capsys.readouterr().err
