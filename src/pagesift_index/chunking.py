"""A document's markdown cut into chunks along its headings, for search and retrieval.

``chunk_markdown(document_id, markdown)`` reads the markdown as blocks (paragraphs, lists, block
quotes, tables, fenced code blocks: what blank lines separate, a fence kept whole whatever it
holds) under headings (``#`` to ``######``), and gives one ``Chunk`` per run of blocks:

- a chunk never crosses a heading: its ``heading_path`` is the headings above it, outermost
  first (``[]`` before the first heading; the document's title is not in the markdown);
- blocks are packed in order until the next one would take the chunk past ``target_words``;
  a block is never cut, except a paragraph longer than ``max_words``, which is cut between
  sentences (between words when a sentence alone is too long). Code blocks, tables, lists and
  block quotes are never cut, whatever their size;
- a section shorter than ``min_words`` is merged with the sibling that follows it (same parent
  heading) when both fit in ``target_words``: the merged chunk keeps the first section's path
  and holds the second's heading line, so that its text still reads in order. Nothing merges
  across a change of parent, so a chunk never mixes two parts of the document;
- ``id`` is stable: a hash of the document id, the heading path, the chunk's place among the
  chunks of that path and its text. The same document gives the same ids; an edit changes the
  ids of the chunks it touches and of those after it under the same heading, no others.

Words are what ``str.split`` separates: text in scripts written without spaces (Chinese,
Japanese, Thai) counts a run of characters as one word, so its chunks run long; they are never
cut badly, only less evenly.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

TARGET_WORDS = 300
MAX_WORDS = 800  # a paragraph longer than this is cut between sentences
MIN_WORDS = 50  # a section shorter than this is merged with the sibling after it, when they fit

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_NOT_A_PARAGRAPH = re.compile(r"^\s*(\||>|[-*+]\s|\d+[.)]\s)")  # a table, a quote, a list
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    document_id: str
    position: int  # its place in the document, from 0
    heading_path: tuple[str, ...]
    text: str

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass(slots=True)
class _Section:
    path: tuple[str, ...]
    heading: str | None  # the heading line as written, None before the first heading
    blocks: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(word_count(block) for block in self.blocks)


def word_count(text: str) -> int:
    return len(text.split())


def chunk_markdown(
    document_id: str,
    markdown: str | None,
    *,
    target_words: int = TARGET_WORDS,
    max_words: int = MAX_WORDS,
    min_words: int = MIN_WORDS,
) -> list[Chunk]:
    """The chunks of ``markdown``, in document order (none for empty markdown)."""
    sections = _merge_small(_sections(markdown or ""), target_words, min_words)
    pieces: list[tuple[tuple[str, ...], str]] = []
    for section in sections:
        blocks = [piece for block in section.blocks for piece in _cut(block, target_words, max_words)]
        pieces.extend((section.path, text) for text in _pack(blocks, target_words))
    return _numbered(document_id, pieces)


def _sections(markdown: str) -> list[_Section]:
    """The markdown's sections, each with its heading path and its blocks."""
    sections = [_Section((), None)]
    path: list[tuple[int, str]] = []  # (level, heading) of the headings above
    block: list[str] = []
    fence: str | None = None

    def close_block() -> None:
        if block and "".join(block).strip():
            sections[-1].blocks.append("\n".join(block).strip("\n"))
        block.clear()

    for line in markdown.splitlines():
        if fence is not None:  # inside a code block: everything is its, blank lines and '#' included
            block.append(line)
            if line.strip().startswith(fence):
                fence = None
            continue
        if (opening := _FENCE.match(line)) is not None:
            fence = opening.group(1)[0] * 3
            block.append(line)
        elif (heading := _HEADING.match(line)) is not None:
            close_block()
            level, title = len(heading.group(1)), heading.group(2).strip()
            path = [(lvl, text) for lvl, text in path if lvl < level] + [(level, title)]
            sections.append(_Section(tuple(text for _, text in path), line.strip()))
        elif not line.strip():
            close_block()
        else:
            block.append(line)
    close_block()
    return [section for section in sections if section.blocks]


def _merge_small(sections: list[_Section], target_words: int, min_words: int) -> list[_Section]:
    merged: list[_Section] = []
    for section in sections:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.heading is not None
            and last.words < min_words
            and last.path[:-1] == section.path[:-1]
            and len(last.path) == len(section.path)
            and last.words + section.words <= target_words
        ):
            last.blocks.extend([section.heading or "", *section.blocks])
            continue
        merged.append(section)
    return merged


def _cut(block: str, target_words: int, max_words: int) -> list[str]:
    """``block`` as it is, or a paragraph longer than ``max_words`` cut into pieces of about
    ``target_words`` between sentences. Code blocks, tables, lists and quotes are never cut."""
    if word_count(block) <= max_words or _FENCE.match(block) or _NOT_A_PARAGRAPH.match(block):
        return [block]
    units = [unit for sentence in _SENTENCE_END.split(block) for unit in _words_of(sentence, max_words)]
    return _pack(units, target_words, separator=" ")


def _words_of(sentence: str, max_words: int) -> list[str]:
    """A sentence, or a sentence too long to keep whole in runs of ``max_words`` words."""
    words = sentence.split()
    if len(words) <= max_words:
        return [sentence]
    return [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]


def _pack(units: list[str], target_words: int, separator: str = "\n\n") -> list[str]:
    """Units in order, joined into runs that stay within ``target_words`` where they can."""
    runs: list[str] = []
    current: list[str] = []
    words = 0
    for unit in units:
        size = word_count(unit)
        if current and words + size > target_words:
            runs.append(separator.join(current))
            current, words = [], 0
        current.append(unit)
        words += size
    if current:
        runs.append(separator.join(current))
    return runs


def _numbered(document_id: str, pieces: list[tuple[tuple[str, ...], str]]) -> list[Chunk]:
    chunks = []
    seen: dict[tuple[str, ...], int] = {}
    for position, (path, text) in enumerate(pieces):
        ordinal = seen.get(path, 0)
        seen[path] = ordinal + 1
        chunks.append(Chunk(chunk_id(document_id, path, ordinal, text), document_id, position, path, text))
    return chunks


def chunk_id(document_id: str, heading_path: tuple[str, ...], ordinal: int, text: str) -> str:
    """32 hex digits: the document, the chunk's headings and place under them, and its text."""
    content = hashlib.sha256(text.encode("utf-8")).hexdigest()
    named = json.dumps([document_id, list(heading_path), ordinal, content], ensure_ascii=False)
    return hashlib.sha256(named.encode("utf-8")).hexdigest()[:32]
