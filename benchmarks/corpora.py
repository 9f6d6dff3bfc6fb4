"""The development corpora, read one way: pages with their dataset, bytes and ground truth.

- the article-extraction benchmark (``aeb``): 111 news and blog pages, ``ground-truth.json``;
- the web-content-extraction corpus: five research datasets with a fixed ``tune``/``check``
  split (``splits.json``), each page's truth in ``<dataset>/truth.jsonl``;
- WCXB's development split (``wcxb``): pages of seven page types (article, forum, product,
  collection, listing, documentation, service), with the same ``tune``/``check`` halves; each
  page's truth is its main content, with its markdown, title, author, date and snippets.

Dragnet's truth may end with readers' comments after a separator line; pagesift's ``text`` is
the article alone (comments go to their own field), so the truth is cut at the separator and
every system is scored on the article alone (``ARTICLE_ONLY``).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where the development datasets usually are: shared/ beside the repository's clone.
DATASETS = ROOT.parent / "shared" / "datasets"
DEFAULT_BENCHMARK = DATASETS / "article-extraction-benchmark"
DEFAULT_CORPUS = DATASETS / "web-content-extraction"
DEFAULT_WCXB = DATASETS / "wcxb-dev"

BENCHMARK = "aeb"
WCXB = "wcxb"
HALVES = ("tune", "check")
ARTICLE_ONLY = True
# The corpus README's pattern for Dragnet's comments separator, typed with small variations.
_COMMENTS_SEPARATOR = re.compile(r"[!@#$%^&*()]{3,}[!@#$%^&*()\s]*COMMENTS")


@dataclass(frozen=True, slots=True)
class Annotations:
    """What WCXB's truth says of a page beside its main content."""

    markdown: str | None  # the main content as markdown (absent on a few pages)
    title: str | None
    author: str | None
    date: str | None
    with_snippets: tuple[str, ...]  # a correct extraction contains them
    without_snippets: tuple[str, ...]  # boilerplate it must not contain


@dataclass(frozen=True, slots=True)
class CorpusPage:
    id: str  # "<dataset>/<name>"
    dataset: str
    path: Path  # the gzip-compressed page
    truth: str
    url: str | None = None
    page_type: str | None = None
    annotations: Annotations | None = None

    def html_bytes(self) -> bytes:
        """The page as published (gunzipped): what a crawler would have stored."""
        return gzip.decompress(self.path.read_bytes())


class MissingCorpus(SystemExit):
    pass


def benchmark_pages(folder: Path = DEFAULT_BENCHMARK) -> list[CorpusPage]:
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise MissingCorpus(
            f"no article-extraction benchmark at {folder} (expected ground-truth.json and html/): "
            "give its folder with --benchmark DIR"
        )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    html = folder / "html"
    return [
        CorpusPage(f"{BENCHMARK}/{name}", BENCHMARK, html / f"{name}.html.gz", item["articleBody"], item.get("url"))
        for name, item in sorted(truth.items())
    ]


def corpus_pages(half: str, folder: Path = DEFAULT_CORPUS) -> list[CorpusPage]:
    """The pages of one half (``tune`` or ``check``) of the web-content-extraction corpus."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, not {half!r}")
    splits_file = folder / "splits.json"
    if not splits_file.is_file():
        raise MissingCorpus(
            f"no web-content-extraction corpus at {folder} (expected splits.json and <dataset>/truth.jsonl): "
            "give its folder with --corpus DIR"
        )
    truth: dict[str, str] = {}
    for file in sorted(folder.glob("*/truth.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            truth[f"{file.parent.name}/{row['id']}"] = _article(row["text"]) if ARTICLE_ONLY else row["text"]
    pages = []
    for page_id in json.loads(splits_file.read_text())[half]:
        dataset, name = page_id.split("/", 1)
        pages.append(CorpusPage(page_id, dataset, folder / dataset / "html" / f"{name}.html.gz", truth[page_id]))
    return pages


def _article(text: str) -> str:
    separator = _COMMENTS_SEPARATOR.search(text)
    return text[: separator.start()] if separator else text


def wcxb_pages(half: str, folder: Path = DEFAULT_WCXB) -> list[CorpusPage]:
    """The pages of one half (``tune`` or ``check``) of WCXB's development split."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, not {half!r}")
    splits_file, truth_file = folder / "splits.json", folder / "truth.jsonl.gz"
    if not splits_file.is_file() or not truth_file.is_file():
        raise MissingCorpus(
            f"no WCXB development split at {folder} (expected splits.json, truth.jsonl.gz and html/): "
            "give its folder with --wcxb DIR"
        )
    with gzip.open(truth_file, "rt", encoding="utf-8") as lines:
        rows = {row["id"]: row for row in map(json.loads, lines)}
    pages = []
    for name in json.loads(splits_file.read_text())[half]:
        row = rows[name]
        annotations = Annotations(
            markdown=row.get("main_content_markdown") or None,
            title=row.get("title"),
            author=row.get("author"),
            date=row.get("publish_date"),
            with_snippets=tuple(row.get("with") or ()),
            without_snippets=tuple(row.get("without") or ()),
        )
        path = folder / "html" / f"{name}.html.gz"
        truth = row.get("main_content") or ""
        pages.append(CorpusPage(f"{WCXB}/{name}", WCXB, path, truth, row.get("url"), row["page_type"], annotations))
    return pages
