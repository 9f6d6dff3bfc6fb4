"""Where an index keeps what the consumer applies: the interface a store implements.

``SqliteSink`` (``pagesift_index.sqlite``) is the reference; a search engine's sink (OpenSearch,
a vector store) implements the same methods. The consumer calls them inside ``transaction()``,
which must make one change and its record (``record_change``) visible together or not at all:
that is what lets a message be acknowledged only after the commit, and a message delivered
again after a crash be skipped as a duplicate. A store without transactions gets the same
effect by writing the change record last and making every write idempotent (upserts on ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from pagesift_index.chunking import Chunk


@dataclass(frozen=True, slots=True)
class Version:
    """The last change applied to a target (a document id, or a shard): its S3 sequencer, and
    whether it removed the target. Kept after a deletion, so that a late older event of a
    deleted document does not bring it back."""

    sequencer: str | None
    deleted: bool


class IndexSink(Protocol):
    def transaction(self) -> AbstractContextManager[None]:
        """Everything written inside is committed at the end, or none of it on an exception."""
        ...

    def has_change(self, change_id: str, target: str) -> bool:
        """Whether this change of this target was applied already."""
        ...

    def record_change(self, change_id: str, target: str) -> None: ...

    def version(self, target: str) -> Version | None: ...

    def set_version(self, target: str, version: Version) -> None: ...

    def upsert(self, document: dict[str, Any], chunks: Sequence[Chunk], *, shard: str | None = None) -> None:
        """Insert or replace ``document`` (on its ``id``) and its chunks (its old chunks go);
        ``shard`` names the shard it came from, if any."""
        ...

    def delete(self, document_id: str) -> None:
        """Remove the document and its chunks (nothing when it is not there)."""
        ...

    def shard_documents(self, shard_key: str) -> list[str]:
        """The ids of the documents whose last upsert came from this shard."""
        ...
