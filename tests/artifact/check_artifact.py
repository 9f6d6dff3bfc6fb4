"""Checks of the built function artifact, run by `make sam-build`.

    check_artifact.py machine ARTIFACT_DIR aarch64|x86_64
        every native extension in the artifact is built for that machine;
    cd ARTIFACT_DIR && PYTHONPATH=. RUNTIME_PYTHON check_artifact.py run PAGES_DIR...
        the artifact alone, beside what the Lambda runtime provides (boto3 and its
        dependencies): the handler imports, and every sample page goes through the extraction
        core, language detection included (needs an artifact built for this machine).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

# ELF e_machine values (little-endian half-word at offset 18 of the header).
_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


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


def check_run(directories: list[Path]) -> None:
    os.environ.setdefault("DOCUMENTS_BUCKET", "documents")
    os.environ.setdefault("EVENT_BUS_NAME", "bus")
    os.environ.setdefault("STATE_TABLE", "state")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    # The handler module, as Lambda imports it (Handler: extract.app.lambda_handler).
    handler_module = importlib.import_module("extract.app")
    assert callable(handler_module.lambda_handler)
    from pagesift.core.errors import ExtractionError
    from pagesift.core.extraction import Page, extract
    from pagesift.core.language import detect_language

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
    leftovers = sorted(m for m in ("dateparser", "regex", "pytz", "tzlocal") if m in sys.modules)
    assert not leftovers, f"imported, but left out of the artifact: {leftovers}"
    print(f"the artifact imports the handler and extracts {documents} of {len(pages)} pages")


if __name__ == "__main__":
    if sys.argv[1:2] == ["machine"] and len(sys.argv) == 4:
        check_machine(Path(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["run"] and len(sys.argv) >= 3:
        check_run([Path(arg) for arg in sys.argv[2:]])
    else:
        sys.exit(__doc__)
