"""Title, date, language and author of every benchmark and regression page, to count what a
change of code changed in the metadata ("report the counts that change and why").

    .venv/bin/python benchmarks/metadata.py OUT.json [--root DIR]
    .venv/bin/python benchmarks/metadata.py --compare BEFORE.json AFTER.json

The pages: the 111 of the article-extraction benchmark (``--benchmark``), the regression pages
(tests/fixtures/pages, with their expected values in expectations.json) and the sample pages.
``--root`` is the checkout whose extraction core runs (default: this one; another clone or
``git worktree`` for "before"); it runs in a child process of its own, with that checkout's
``functions/`` on its path, so that two versions never share a process. ``--compare`` prints,
per field, how many pages kept their value, changed it, gained one (none before) and lost it,
then every change; for the regression pages, how many match their expected value in each file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks")]

FIELDS = ("title", "date", "language", "author")
REGRESSION_PAGES = ROOT / "tests" / "fixtures" / "pages"
SAMPLE_PAGES = ROOT / "samples" / "pages"


def pages(benchmark: Path) -> list[tuple[str, Path, str | None]]:
    """(id, file, url) of every page, in a fixed order."""
    import corpora

    found = [(page.id, page.path, page.url) for page in corpora.benchmark_pages(benchmark)]
    for folder, prefix in ((REGRESSION_PAGES, "regression"), (SAMPLE_PAGES, "samples")):
        found += [(f"{prefix}/{path.name}", path, None) for path in sorted(folder.iterdir()) if ".htm" in path.name]
    return found


def child(root: Path, listing: list[tuple[str, str, str | None]]) -> None:
    """In a fresh process: extract each page with ``root``'s core, print one JSON object each."""
    sys.path[:0] = [str(root / "functions")]
    from pagesift.extraction.steps import ExtractionError, Page, extract

    for page_id, file, url in listing:
        raw = Path(file).read_bytes()
        # benchmark pages are stored gzipped: a crawler would have stored them plain
        data = gzip.decompress(raw) if page_id.startswith("aeb/") else raw
        try:
            document = extract(Page(data, url=url))
            values = {name: getattr(document, name) for name in FIELDS}
        except ExtractionError as error:
            values = {"error": error.kind}
        print(json.dumps({"id": page_id, **values}, ensure_ascii=False), flush=True)


def write(out: Path, root: Path, benchmark: Path) -> None:
    listing = [(page_id, str(path), url) for page_id, path, url in pages(benchmark)]
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(root)],
        input=json.dumps(listing), capture_output=True, text=True, check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    out.write_text(json.dumps({"root": str(root), "pages": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(rows)} pages -> {out}")


def compare(before_file: Path, after_file: Path) -> None:
    before = {row["id"]: row for row in json.loads(before_file.read_text(encoding="utf-8"))["pages"]}
    after = {row["id"]: row for row in json.loads(after_file.read_text(encoding="utf-8"))["pages"]}
    common = [page_id for page_id in before if page_id in after]
    print(f"{len(common)} pages in both files ({before_file.name} -> {after_file.name})\n")
    print(f"{'field':<10}{'same':>6}{'changed':>9}{'gained':>8}{'lost':>6}")
    changes = []
    for name in FIELDS:
        counts = {"same": 0, "changed": 0, "gained": 0, "lost": 0}
        for page_id in common:
            old, new = before[page_id].get(name), after[page_id].get(name)
            kind = "same" if old == new else "gained" if old is None else "lost" if new is None else "changed"
            counts[kind] += 1
            if kind != "same":
                changes.append((name, kind, page_id, old, new))
        print(f"{name:<10}{counts['same']:>6}{counts['changed']:>9}{counts['gained']:>8}{counts['lost']:>6}")
    errors = [(page_id, before[page_id].get("error"), after[page_id].get("error")) for page_id in common
              if before[page_id].get("error") != after[page_id].get("error")]
    for page_id, old, new in errors:
        print(f"  error {page_id}: {old} -> {new}")
    expectations_file = REGRESSION_PAGES / "expectations.json"
    if expectations_file.is_file():
        expected = json.loads(expectations_file.read_text(encoding="utf-8"))
        print("\nregression pages matching their expected value (before / after)")
        for name in FIELDS:
            wanted = {f"regression/{page}": values[name] for page, values in expected.items() if isinstance(values, dict) and name in values}
            hits = [sum(rows.get(page_id, {}).get(name) == value for page_id, value in wanted.items()) for rows in (before, after)]
            print(f"  {name:<10} {hits[0]} / {hits[1]} of {len(wanted)}")
    if changes:
        print("\nchanges")
        for name, kind, page_id, old, new in changes:
            print(f"  {name:<8} {kind:<7} {page_id}: {old!r} -> {new!r}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), json.loads(sys.stdin.read()))
        return
    import corpora

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--benchmark", type=Path, default=corpora.DEFAULT_BENCHMARK)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    elif args.out:
        write(args.out, args.root.resolve(), args.benchmark)
    else:
        parser.error("give OUT.json, or --compare BEFORE.json AFTER.json")


if __name__ == "__main__":
    main()
