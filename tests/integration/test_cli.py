"""The command line as a user runs it: `pagesift extract`, `pagesift local run`, `pagesift local up`."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest

from tests.support.pages import article_bytes
from tests.support.schemas import validate_document, validate_event

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "pages"
PAGESIFT = [sys.executable, "-m", "pagesift_local.cli"]


def run(*args: str, timeout: float = 300, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**(os.environ if env is None else env),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "functions" / "extract"), str(ROOT / "src")])}
    if stdin is None:
        return subprocess.run([*PAGESIFT, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    result = subprocess.run([*PAGESIFT, *args], capture_output=True, input=stdin, timeout=timeout, env=env, cwd=ROOT)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def test_extract_reads_standard_input_and_pages_saved_without_a_page_name(tmp_path: Path) -> None:
    result = run("extract", "-", "--jsonl", stdin=article_bytes())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"]["path"] == "-"
    (tmp_path / "index.php").write_bytes(article_bytes())
    (tmp_path / "saved-without-extension").write_bytes(gzip.compress(article_bytes(title="Other")))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = run("extract", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr.splitlines()[-1] == (
        "pagesift: 2 pages: 2 documents, 0 failed; skipped 1 file that is not a page (logo.png: PNG image)"
    )


def test_aws_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    bare |= {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    for args, says in (
        (("redrive",), "pagesift redrive: no AWS region: pass --region"),
        (("redrive", "--region", "eu-west-1"), "pagesift redrive: no AWS credentials found"),
        (("redrive", "--endpoint-url", "http://127.0.0.1:1"), "pagesift redrive: cannot reach http://127.0.0.1:1"),
        (("backfill", "s3://b/x", "--endpoint-url", "http://127.0.0.1:1"), "pagesift backfill: cannot reach"),
    ):
        result = run(*args, env=bare, timeout=120)
        assert (result.returncode, result.stdout) == (1, ""), result.stderr
        assert result.stderr.startswith(says) and result.stderr.count("\n") == 1, result.stderr
    result = run("redrive", "--endpoint-url", "http://127.0.0.1:1", "--debug", env=bare, timeout=120)
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_local_run_refuses_an_unknown_parameter_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(article_bytes())
    result = run("local", "run", str(tmp_path), "--parameter", "Bogus=1")
    assert result.returncode == 2
    assert result.stderr.startswith("pagesift local run: unknown template parameters: ['Bogus'] (known: ")
    assert result.stderr.count("\n") == 1


def test_extract_one_file_prints_one_document(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_bytes(article_bytes())
    result = run("extract", str(page), "--url", "https://example.org/story")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    validate_document(document)
    assert document["source"]["path"] == str(page)
    assert document["url"] == "https://example.org/story"


def test_extract_a_folder_prints_json_lines_and_reports_failures(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes(article_bytes())
    (tmp_path / "sub" / "b.htm").write_bytes(article_bytes(title="Other"))
    (tmp_path / "sub" / "c.html.gz").write_bytes(gzip.compress(article_bytes()))
    (tmp_path / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (tmp_path / "notes.txt").write_text("not a page: not picked up")
    result = run("extract", str(tmp_path))
    assert result.returncode == 3  # one page failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(d["source"]["path"]).name for d in lines) == ["a.html", "b.htm", "c.html.gz"]
    for document in lines:
        validate_document(document)
    assert "broken.html" in result.stderr and "NotHtml" in result.stderr


def test_extract_with_jobs_gives_the_same_documents_in_the_same_order(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"page {i}.html").write_bytes(article_bytes(title=f"Story {i}"))
    (tmp_path / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))

    def documents(*args: str) -> tuple[list[dict], str]:
        result = run("extract", str(tmp_path), *args)
        assert result.returncode == 3 and "broken.html" in result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        for row in rows:
            del row["extraction"]["timestamp"], row["extraction"]["duration_ms"]
        return rows, result.stderr

    one, _ = documents("--jobs", "1")
    two, stderr = documents("--jobs", "2")
    assert one == two and len(one) == 6
    assert stderr.splitlines()[-1] == "pagesift: 7 pages: 6 documents, 1 failed"


@pytest.mark.parametrize("mode", ["record", None, "whole"])
def test_extract_an_archive_prints_a_document_per_page_and_a_failure_per_broken_record(tmp_path: Path, mode: str | None) -> None:
    from tests.support.warcs import realistic_archive, repository_pages

    archive = realistic_archive(repository_pages(), gzip_mode=mode)
    path = tmp_path / "crawl-00001.bin"  # recognised by content, not by name
    path.write_bytes(archive.data)
    result = run("extract", str(path), "--jobs", "2")
    assert result.returncode == 3  # the broken records
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    for document in documents:
        validate_document(document)
    pages = archive.pages
    assert [d["source"]["record"]["id"] for d in documents] == [p.record_id for p in pages]
    assert [d["url"] for d in documents] == [p.url for p in pages]
    assert len({d["id"] for d in documents}) == len(pages)
    broken = archive.expected("broken:")
    failures = [line for line in result.stderr.splitlines() if line.startswith(f"pagesift: {path}#")]
    assert len(failures) == len(broken) + (mode is None)  # a plain archive's garbage is one more
    [counts_line] = [line for line in result.stderr.splitlines() if line.startswith(f"pagesift: {path}: {{")]
    counts = json.loads(counts_line.split(": ", 2)[2])
    assert counts["documents"] == len(pages)
    # a request record before every response, the record kinds a crawl holds around them
    skipped = Counter(entry.expect.removeprefix("skip:") for entry in archive.expected("skip:"))
    assert counts["skipped"] == dict(skipped) and skipped["request"] >= len(pages)
    assert set(skipped) == {"metadata", "not-html", "not-ok", "request", "revisit", "warcinfo"}
    assert sum(counts["failures"].values()) == len(failures)


def test_extract_an_archive_that_reuses_record_ids_gives_one_document_per_id(tmp_path: Path) -> None:
    from tests.support.warcs import archive_with_reused_ids, repository_pages

    archive, firsts, again = archive_with_reused_ids(repository_pages()[:3])
    path = tmp_path / "reused.warc.gz"
    path.write_bytes(archive.data)
    result = run("extract", str(path), "--jobs", "2")
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["source"]["record"]["offset"] for d in documents] == [e.offset for e in firsts if e.expect == "page"]
    failures = [line for line in result.stderr.splitlines() if line.startswith(f"pagesift: {path}#")]
    assert [f"(offset {e.offset}): DuplicateRecord (read)" in line for line, e in zip(failures, again, strict=True)] == [True] * 4


def test_extract_refuses_zero_jobs(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path), "--jobs", "0")
    assert result.returncode == 2 and "--jobs must be at least 1" in result.stderr


@pytest.mark.integration
def test_local_run_json_gives_a_document_and_event_per_page() -> None:
    result = run("local", "run", str(SAMPLES), "--json")
    assert result.returncode == 3, result.stderr  # the image saved as a page fails
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len([p for p in SAMPLES.iterdir() if not p.name.startswith(".")])
    assert result.stderr.splitlines()[-1] == f"pagesift: {len(rows)} pages: {len(rows) - 1} documents, 1 failed"
    for row in rows:
        validate_event(row["event"])
        if row["file"].endswith("not-a-page.html"):
            assert row["document"] is None
            assert row["event"]["detail-type"] == "Document Extraction Failed"
            assert row["event"]["detail"]["error"]["type"] == "NotHtml"
        else:
            assert row["event"]["detail-type"] == "Document Extracted"
            validate_document(row["document"])
            assert row["document"]["id"] == row["event"]["detail"]["document"]["id"]
            assert row["document"]["stats"]["words"] > 100


@pytest.mark.integration
def test_local_run_with_an_index_then_search_finds_the_pages(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    result = run("local", "run", str(SAMPLES), str(ROOT / "samples" / "archives"), "--json", "--index", str(db))
    assert result.returncode == 3, result.stderr  # the samples that fail on purpose
    documents = [row["document"] for row in map(json.loads, result.stdout.splitlines()) if row["document"]]
    assert f"{len(documents)} upserted, 0 deleted, 0 duplicates skipped" in result.stderr and ", 0 failed" in result.stderr
    found = run("search", "hibernation capsules", "--db", str(db), "--json")
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    # the page, and its capture in the sample archive: two documents of one article
    assert sorted(hit["document_id"] for hit in hits) == sorted(d["id"] for d in documents if d["title"].startswith("Hibernating"))
    assert len(hits) == 2


@pytest.mark.integration
def test_local_up_serves_plain_boto3_clients(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "functions" / "extract"), str(ROOT / "src")])}
    process = subprocess.Popen([*PAGESIFT, "local", "up"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert {"endpoint_url", "region", "input_bucket", "documents_bucket", "event_bus", "extract_queue_url",
                "extract_dlq_url", "index_queue_url", "state_table"} <= set(info)
        session = dict(endpoint_url=info["endpoint_url"], region_name=info["region"],
                       aws_access_key_id="anything", aws_secret_access_key="anything")
        s3, sqs = boto3.client("s3", **session), boto3.client("sqs", **session)
        key = "drop/ein Artikel+über.html"
        s3.put_object(Bucket=info["input_bucket"], Key=key, Body=article_bytes())

        def next_event(detail_type: str) -> dict:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                for message in sqs.receive_message(QueueUrl=info["index_queue_url"], WaitTimeSeconds=1).get("Messages", []):
                    sqs.delete_message(QueueUrl=info["index_queue_url"], ReceiptHandle=message["ReceiptHandle"])
                    event = json.loads(message["Body"])
                    if event["detail-type"] == detail_type and event["detail"]["source"]["key"] == key:
                        return event
            pytest.fail(f"no {detail_type} for {key}")

        extracted = next_event("Document Extracted")
        validate_event(extracted)
        pointer = extracted["detail"]["document"]
        validate_document(json.loads(s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read()))
        s3.delete_object(Bucket=info["input_bucket"], Key=key)
        validate_event(next_event("Document Deleted"))
        assert s3.list_objects_v2(Bucket=info["documents_bucket"]).get("KeyCount", 0) == 0
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
