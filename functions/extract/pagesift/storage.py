"""S3 edges: read a page with its storage metadata, write and delete documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .document import Document, document_key
from .retry import with_retries

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class ObjectGone(Exception):
    """The object (or that version of it) no longer exists: it was deleted after the event."""


@dataclass(frozen=True, slots=True)
class StoredPage:
    data: bytes | None  # None when the object is over the size limit: it was not read
    size: int
    content_type: str | None
    content_encoding: str | None
    content_language: str | None
    url: str | None  # from user metadata x-amz-meta-url
    version_id: str | None
    etag: str | None
    last_modified: str | None


class PageStore:
    """Reads pages from the input bucket, refusing oversized ones before reading them."""

    def __init__(self, s3_client: Any, *, max_input_bytes: int) -> None:
        self._s3 = s3_client
        self._max_input_bytes = max_input_bytes

    def read(self, bucket: str, key: str) -> StoredPage:
        """The object's current version: the caller compares it with the version its event
        names, so that a late event never brings back an older page. Objects over the size
        limit come back with ``data`` None, unread."""
        try:
            response = with_retries(lambda: self._s3.get_object(Bucket=bucket, Key=key))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _MISSING_CODES:
                raise ObjectGone(f"s3://{bucket}/{key} no longer exists ({code})") from error
            raise
        body = response["Body"]
        size = int(response.get("ContentLength", 0))
        try:
            # Decided from the declared size, before a single byte is read into memory; the
            # caller reports it once it knows the object is the version its event is about.
            data = body.read(self._max_input_bytes + 1) if size <= self._max_input_bytes else None
        finally:
            body.close()
        if data is not None and len(data) > self._max_input_bytes:
            data, size = None, len(data)
        metadata = {k.lower(): v for k, v in (response.get("Metadata") or {}).items()}
        last_modified = response.get("LastModified")
        return StoredPage(
            data=data,
            size=size,
            content_type=response.get("ContentType"),
            content_encoding=response.get("ContentEncoding"),
            content_language=response.get("ContentLanguage"),
            url=metadata.get("url") or None,
            version_id=response.get("VersionId"),
            etag=(response.get("ETag") or "").strip('"') or None,
            last_modified=last_modified.isoformat() if last_modified is not None else None,
        )


    def exists(self, bucket: str, key: str) -> bool:
        """Whether the object has a current version (a delete marker or no object: False)."""
        try:
            with_retries(lambda: self._s3.head_object(Bucket=bucket, Key=key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code", "") in _MISSING_CODES:
                return False
            raise
        return True


class DocumentStore:
    """Writes and deletes documents in the documents bucket, at the key rule's place."""

    def __init__(self, s3_client: Any, *, bucket: str, prefix: str) -> None:
        self._s3 = s3_client
        self.bucket = bucket
        self.prefix = prefix

    def key_for(self, source_key: str) -> str:
        return document_key(source_key, self.prefix)

    def write(self, document: Document) -> str:
        key = self.key_for(document.source.key or "")
        body = json.dumps(document.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with_retries(
            lambda: self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="application/json; charset=utf-8",
                Metadata={"document-id": document.id, "source-sha256": document.fingerprints.sha256},
            )
        )
        return key

    def exists(self, source_key: str) -> bool:
        key = self.key_for(source_key)
        try:
            with_retries(lambda: self._s3.head_object(Bucket=self.bucket, Key=key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code", "") in _MISSING_CODES:
                return False
            raise
        return True

    def delete(self, source_key: str) -> str:
        key = self.key_for(source_key)
        with_retries(lambda: self._s3.delete_object(Bucket=self.bucket, Key=key))
        return key
