"""The reference sink: one SQLite file, full-text search with FTS5 (Python's own sqlite3).

Tables (``SCHEMA``):

- ``documents``: one row per live document, on its ``id``: url, title, language, host, date,
  page type and the rest of what filters and results show, and the shard it came from;
- ``chunks``: its chunks (``pagesift_index.chunking``), each with its stable id, its place
  and its heading path; ``chunks_fts``, an FTS5 index of their title, headings and text kept
  in step with ``chunks`` by triggers;
- ``versions``: per document id (and shard), the sequencer of the last change applied and
  whether it was a deletion: the order the consumer keeps (kept after a deletion);
- ``applied_changes``: each (change_id, target) applied: what tells a duplicate.

Every write of a change happens inside ``transaction()`` (``BEGIN IMMEDIATE`` … ``COMMIT``),
so a change, its version and its record are committed together. The database is in WAL mode:
``pagesift search`` reads while ``pagesift index`` writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pagesift_index.chunking import Chunk
from pagesift_index.sink import Version

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    url TEXT,
    title TEXT,
    language TEXT,
    host TEXT,
    date TEXT,
    date_modified TEXT,
    page_type TEXT,
    sitename TEXT,
    author TEXT,
    description TEXT,
    words INTEGER,
    sha256 TEXT,
    source_bucket TEXT,
    source_key TEXT,
    shard TEXT
);
CREATE INDEX documents_shard ON documents (shard) WHERE shard IS NOT NULL;
CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents (id),
    position INTEGER NOT NULL,
    heading_path TEXT NOT NULL,  -- JSON array, outermost heading first
    headings TEXT NOT NULL,      -- the same, as text for the full-text index
    title TEXT,
    text TEXT NOT NULL
);
CREATE INDEX chunks_document ON chunks (document_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    title, headings, text, content = 'chunks', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_added AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, title, headings, text) VALUES (new.rowid, new.title, new.headings, new.text);
END;
CREATE TRIGGER chunks_removed AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, headings, text)
    VALUES ('delete', old.rowid, old.title, old.headings, old.text);
END;
CREATE TABLE versions (target TEXT PRIMARY KEY, sequencer TEXT, deleted INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE applied_changes (
    change_id TEXT NOT NULL,
    target TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (change_id, target)
) WITHOUT ROWID;
"""
# bm25 weights of title, headings and text: a word of the title says more of a page than one of its body
RANK_WEIGHTS = (5.0, 2.0, 1.0)
SNIPPET_WORDS = 24
HIGHLIGHT = ("**", "**")


class IndexUnusable(Exception):
    """The index file cannot be used: missing, not an index, or of another schema."""


@dataclass(frozen=True, slots=True)
class Filters:
    language: str | None = None
    host: str | None = None
    since: str | None = None  # YYYY-MM-DD: documents dated that day or later
    page_type: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: str
    title: str | None
    url: str | None
    page_type: str | None
    language: str | None
    date: str | None
    heading_path: list[str]
    snippet: str
    score: float  # bm25: lower is better

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def fts5_available() -> bool:
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        try:
            connection.execute("CREATE VIRTUAL TABLE probe USING fts5 (text)")
        except sqlite3.OperationalError:
            return False
    return True


class SqliteSink:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: str | Path) -> SqliteSink:
        """The index at ``path``, created when it is not there."""
        return cls(_open(path, create=True))

    @classmethod
    def open_existing(cls, path: str | Path) -> SqliteSink:
        """The index at ``path`` for reading; ``IndexUnusable`` when there is none."""
        if str(path) != ":memory:" and not Path(path).is_file():
            raise IndexUnusable(f"no index at {path}: run `pagesift index` first")
        return cls(_open(path, create=False))

    def close(self) -> None:
        self.connection.close()

    # -- the sink

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def has_change(self, change_id: str, target: str) -> bool:
        row = self.connection.execute(
            "SELECT 1 FROM applied_changes WHERE change_id = ? AND target = ?", (change_id, target)
        ).fetchone()
        return row is not None

    def record_change(self, change_id: str, target: str) -> None:
        self.connection.execute(
            "INSERT OR IGNORE INTO applied_changes (change_id, target) VALUES (?, ?)", (change_id, target)
        )

    def version(self, target: str) -> Version | None:
        row = self.connection.execute("SELECT sequencer, deleted FROM versions WHERE target = ?", (target,)).fetchone()
        return None if row is None else Version(row[0], bool(row[1]))

    def set_version(self, target: str, version: Version) -> None:
        self.connection.execute(
            "INSERT INTO versions (target, sequencer, deleted) VALUES (?, ?, ?) "
            "ON CONFLICT (target) DO UPDATE SET sequencer = excluded.sequencer, deleted = excluded.deleted",
            (target, version.sequencer, int(version.deleted)),
        )

    def upsert(self, document: dict[str, Any], chunks: Sequence[Chunk], *, shard: str | None = None) -> None:
        row = _document_row(document, shard)
        columns = ", ".join(row)
        updates = ", ".join(f"{name} = excluded.{name}" for name in row if name != "id")
        self.connection.execute(
            f"INSERT INTO documents ({columns}) VALUES ({', '.join('?' * len(row))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            tuple(row.values()),
        )
        self.connection.execute("DELETE FROM chunks WHERE document_id = ?", (document["id"],))
        self.connection.executemany(
            "INSERT INTO chunks (id, document_id, position, heading_path, headings, title, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    chunk.id,
                    document["id"],
                    chunk.position,
                    json.dumps(list(chunk.heading_path), ensure_ascii=False),
                    " › ".join(chunk.heading_path),
                    document.get("title"),
                    chunk.text,
                )
                for chunk in chunks
            ],
        )

    def delete(self, document_id: str) -> None:
        self.connection.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        self.connection.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    def shard_documents(self, shard_key: str) -> list[str]:
        rows = self.connection.execute("SELECT id FROM documents WHERE shard = ? ORDER BY id", (shard_key,))
        return [row[0] for row in rows]

    # -- reading

    def document_ids(self) -> list[str]:
        return [row[0] for row in self.connection.execute("SELECT id FROM documents ORDER BY id")]

    def chunks_of(self, document_id: str) -> list[tuple[str, list[str], str]]:
        """(chunk id, heading path, text) of a document's chunks, in order."""
        rows = self.connection.execute(
            "SELECT id, heading_path, text FROM chunks WHERE document_id = ? ORDER BY position", (document_id,)
        )
        return [(row[0], json.loads(row[1]), row[2]) for row in rows]

    def search(self, query: str, *, filters: Filters = Filters(), limit: int = 10) -> list[Hit]:
        """The documents matching ``query``, best first, each with its best passage."""
        expression = match_expression(query)
        if expression is None:
            return []
        where, parameters = _filter_clauses(filters)
        sql = f"""
            WITH ranked AS (
                SELECT chunks.document_id, chunks.heading_path,
                       snippet(chunks_fts, 2, ?, ?, '…', {SNIPPET_WORDS}) AS passage,
                       bm25(chunks_fts, {", ".join(map(str, RANK_WEIGHTS))}) AS score
                FROM chunks_fts JOIN chunks ON chunks.rowid = chunks_fts.rowid
                WHERE chunks_fts MATCH ?
            ),
            best AS (
                SELECT *, row_number() OVER (PARTITION BY document_id ORDER BY score) AS place FROM ranked
            )
            SELECT d.id, d.title, d.url, d.page_type, d.language, d.date, best.heading_path, best.passage, best.score
            FROM best JOIN documents AS d ON d.id = best.document_id
            WHERE best.place = 1 {where}
            ORDER BY best.score, d.url, d.id
            LIMIT ?
        """
        rows = self.connection.execute(sql, (*HIGHLIGHT, expression, *parameters, limit))
        return [Hit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8]) for r in rows]


def _open(path: str | Path, *, create: bool) -> sqlite3.Connection:
    if not fts5_available():
        raise IndexUnusable(f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5: use a build that has it")
    try:
        # Autocommit (isolation_level None): transactions are the explicit BEGIN IMMEDIATE of transaction().
        connection = sqlite3.connect(str(path), isolation_level=None)
    except sqlite3.Error as error:
        raise IndexUnusable(f"cannot open {path} ({error})") from error
    try:
        _prepare(connection, path, create=create)
    except BaseException:
        connection.close()
        raise
    return connection


def _prepare(connection: sqlite3.Connection, path: str | Path, *, create: bool) -> None:
    """WAL (searches read while the indexer writes), the wait for a lock, and the schema,
    created in a new file when ``create``."""
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and create:  # the schema and its version in one transaction
            connection.executescript(f"BEGIN;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")
            return
    except sqlite3.DatabaseError as error:
        raise IndexUnusable(f"{path} is not a pagesift index ({error})") from error
    if version != SCHEMA_VERSION:
        raise IndexUnusable(f"{path} is not a pagesift index of schema {SCHEMA_VERSION} (its schema: {version})")


def _document_row(document: dict[str, Any], shard: str | None) -> dict[str, Any]:
    source, stats, fingerprints = (document.get(name) or {} for name in ("source", "stats", "fingerprints"))
    return {
        "id": document["id"],
        "url": document.get("url"),
        "title": document.get("title"),
        "language": document.get("language"),
        "host": document.get("hostname"),
        "date": document.get("date"),
        "date_modified": document.get("date_modified"),
        "page_type": document.get("page_type"),
        "sitename": document.get("sitename"),
        "author": document.get("author"),
        "description": document.get("description"),
        "words": stats.get("words"),
        "sha256": fingerprints.get("sha256"),
        "source_bucket": source.get("bucket"),
        "source_key": source.get("key"),
        "shard": shard,
    }


def match_expression(query: str) -> str | None:
    """An FTS5 query from what a person types: words must all appear, "quoted words" as a
    phrase. Every term is quoted, so FTS5's operators and punctuation cannot make it fail."""
    terms: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        tokens = re.findall(r"\w+", phrase or word)
        if tokens:
            terms.append('"' + " ".join(tokens) + '"')
    return " ".join(terms) or None


def _filter_clauses(filters: Filters) -> tuple[str, list[str]]:
    clauses, parameters = [], []
    if filters.language:  # "en" takes "en-GB" too
        clauses.append("AND (lower(d.language) = ? OR lower(d.language) LIKE ? || '-%')")
        parameters += [filters.language.lower()] * 2
    for column, value in (("host", filters.host), ("page_type", filters.page_type)):
        if value:
            clauses.append(f"AND d.{column} = ?")
            parameters.append(value.lower())
    if filters.since:
        clauses.append("AND d.date >= ?")
        parameters.append(filters.since)
    return " ".join(clauses), parameters
