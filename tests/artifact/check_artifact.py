"""Checks of the built function artifact, run by `make sam-build`.

    check_artifact.py machine ARTIFACT_DIR aarch64|x86_64 GLIBC
        every native extension in the artifact is built for that machine and needs no newer
        glibc than the runtime's (GLIBC, 2.34 for python3.13's Amazon Linux 2023): neither the
        symbol versions it links against nor the manylinux tag of the wheel it came from;
    cd ARTIFACT_DIR && PYTHONPATH=. RUNTIME_PYTHON check_artifact.py run PAGES_DIR...
        the artifact alone, beside what the Lambda runtime provides (boto3 and its
        dependencies): the handler imports, and every sample page goes through the extraction
        core, language detection included (needs an artifact built for this machine);
    cd ARTIFACT_DIR && PYTHONPATH=. RUNTIME_PYTHON check_artifact.py handler MODULE
        the artifact alone imports MODULE.lambda_handler (another function's handler).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

# ELF e_machine values (little-endian half-word at offset 18 of the header).
_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


_GLIBC_SYMBOL_VERSION = re.compile(rb"GLIBC_(2\.[0-9]+)")
_MANYLINUX_TAG = re.compile(r"manylinux_(\d+)_(\d+)_")
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def glibc_needed(binary: bytes) -> tuple[int, int] | None:
    """The newest GLIBC_2.x symbol version a shared object names (its version needs)."""
    versions = [_version(match.decode()) for match in _GLIBC_SYMBOL_VERSION.findall(binary)]
    return max(versions) if versions else None


def wheel_glibc(wheel_metadata: str) -> tuple[int, int] | None:
    """The glibc a wheel's manylinux tags ask for (the oldest of its tags), None when pure."""
    levels = []
    for line in wheel_metadata.splitlines():
        if not line.startswith("Tag:"):
            continue
        platform = line.split("-")[-1]
        if match := _MANYLINUX_TAG.search(platform):
            levels.append((int(match[1]), int(match[2])))
        levels += [level for name, level in _LEGACY_MANYLINUX.items() if platform.startswith(name + "_")]
    return min(levels) if levels else None


def check_glibc(artifact: Path, ceiling: tuple[int, int]) -> None:
    too_new = []
    for path in artifact.rglob("*.so*"):
        if path.is_file() and (needed := glibc_needed(path.read_bytes())) and needed > ceiling:
            too_new.append(f"{path.relative_to(artifact)} needs GLIBC_{needed[0]}.{needed[1]}")
    for wheel in artifact.glob("*.dist-info/WHEEL"):
        if (needed := wheel_glibc(wheel.read_text())) and needed > ceiling:
            too_new.append(f"{wheel.parent.name} is tagged manylinux_{needed[0]}_{needed[1]}")
    assert not too_new, f"newer than the runtime's glibc {ceiling[0]}.{ceiling[1]}: {too_new}"
    print(f"every native extension loads on glibc {ceiling[0]}.{ceiling[1]}")


def check_machine(artifact: Path, machine: str) -> None:
    extensions = [path for path in artifact.rglob("*.so*") if path.is_file()]
    assert extensions, f"no native extension found under {artifact}"
    wrong = []
    for path in extensions:
        header = path.read_bytes()[:20]
        if header[:4] == b"\x7fELF" and _ELF_MACHINES.get(int.from_bytes(header[18:20], "little")) != machine:
            wrong.append(path.relative_to(artifact))
    assert not wrong, f"built for another machine than {machine}: {wrong}"
    print(f"{len(extensions)} native extensions, all {machine}")


def check_archive(html: bytes) -> None:
    """A web archive read with the artifact's FastWARC and brotli: a br-encoded, chunked response."""
    import gzip
    import io

    import brotli

    from pagesift.contracts.document import Source
    from pagesift.extraction.steps import Page, extract
    from pagesift.archives.warc import WarcReader

    body = brotli.compress(html)
    chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    record = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:0>\r\nWARC-Target-URI: https://example.org/\r\n"
              b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(http) + http + b"\r\n\r\n")
    items = list(WarcReader().items(io.BytesIO(gzip.compress(record)), Source(bucket="archives", key="a.warc.gz")))
    assert len(items) == 1 and isinstance(items[0], Page), items
    document = extract(items[0])
    print(f"an archived br page: {document.stats.words} words, record {document.source.record.id}")


def check_handler(module: str) -> None:
    """The handler module, as Lambda imports it (Handler: <module>.lambda_handler), with the
    settings every function needs."""
    os.environ.setdefault("DOCUMENTS_BUCKET", "documents")
    os.environ.setdefault("EVENT_BUS_NAME", "bus")
    os.environ.setdefault("STATE_TABLE", "state")
    os.environ.setdefault("ARCHIVE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/archive")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    handler_module = importlib.import_module(module)
    assert callable(handler_module.lambda_handler)
    print(f"the artifact imports {module}.lambda_handler")


def check_run(directories: list[Path]) -> None:
    check_handler("extract.app")
    from pagesift.contracts.errors import ExtractionError
    from pagesift.extraction.steps import Page, extract
    from pagesift.extraction.metadata.language import detect_language

    pages = sorted(path for directory in directories for path in directory.iterdir() if path.suffix != ".json")
    documents = 0
    for path in pages:
        try:
            document = extract(Page(path.read_bytes()))
        except ExtractionError as error:
            print(f"{path.name}: {error.kind}")
            continue
        documents += 1
        print(f"{path.name}: {document.stats.words} words, {document.language}, {document.date}, {document.title!r}")
    assert documents, "no sample page gave a document"
    french = "Le conseil départemental a voté jeudi la création de douze nouvelles lignes de car destinées aux élèves."
    assert detect_language(french) == "fr"
    check_archive(pages[0].read_bytes() if not pages[0].name.endswith(".gz") else __import__("gzip").decompress(pages[0].read_bytes()))
    leftovers = sorted(m for m in ("dateparser", "regex", "pytz", "tzlocal", "click", "tqdm") if m in sys.modules)
    assert not leftovers, f"imported, but left out of the artifact: {leftovers}"
    print(f"the artifact imports the handler and extracts {documents} of {len(pages)} pages")


if __name__ == "__main__":
    if sys.argv[1:2] == ["machine"] and len(sys.argv) == 5:
        check_machine(Path(sys.argv[2]), sys.argv[3])
        check_glibc(Path(sys.argv[2]), _version(sys.argv[4]))
    elif sys.argv[1:2] == ["handler"] and len(sys.argv) == 3:
        check_handler(sys.argv[2])
    elif sys.argv[1:2] == ["run"] and len(sys.argv) >= 3:
        check_run([Path(arg) for arg in sys.argv[2:]])
    else:
        sys.exit(__doc__)
