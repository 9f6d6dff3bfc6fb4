"""S3 adapters: the input bucket as the pipeline's PageSource, the documents bucket as its
DocumentStore. Calls are retried by the client's policy (pagesift.aws.clients)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from pagesift.archives.ports import WrittenDocument
from pagesift.contracts.document import Document, content_sha256, document_json
from pagesift.contracts.ports import ObjectGone, StoredObject
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_CHANGED_CODES = frozenset({"PreconditionFailed", "412", "NoSuchVersion"})
HEAD_BYTES = 4096  # of an object read whole or not: enough to tell a web archive by its content
DELETE_BATCH = 1000  # keys per DeleteObjects call, S3's most


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") in _MISSING_CODES


class S3PageSource:
    """Reads pages from the input bucket, never more than the size limit into memory."""

    def __init__(self, s3_client: Any, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self._s3 = s3_client
        self._limits = limits

    def read(self, bucket: str, key: str) -> StoredObject:
        """The object's current version: the caller compares it with the version its event
        names, so that a late event never brings back an older page. Objects over the size
        limit come back with ``data`` None, unread."""
        try:
            response = self._s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                raise ObjectGone(f"s3://{bucket}/{key} no longer exists ({error.response['Error']['Code']})") from error
            raise
        body = response["Body"]
        size = int(response.get("ContentLength", 0))
        limit = self._limits.max_input_bytes
        try:
            # Decided from the declared size, before a single byte is read into memory; the
            # pipeline reports it once it knows the object is the version its event is about.
            # Its first bytes are read either way: they tell a web archive (read by ranges).
            data: bytes | None = body.read(limit + 1) if size <= limit else None
            head = data[:HEAD_BYTES] if data is not None else body.read(HEAD_BYTES)
        finally:
            body.close()
        if data is not None and len(data) > limit:
            size, data = len(data), None
        return _stored(response, data=data, size=size, head=head)

    def head(self, bucket: str, key: str) -> StoredObject | None:
        try:
            response = self._s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return _stored(response, data=None, size=int(response.get("ContentLength", 0)))


def _stored(response: dict[str, Any], *, data: bytes | None, size: int, head: bytes = b"") -> StoredObject:
    """A GetObject or HeadObject response as the pipeline's StoredObject."""
    metadata = {k.lower(): v for k, v in (response.get("Metadata") or {}).items()}
    last_modified = response.get("LastModified")
    return StoredObject(
        data=data,
        size=size,
        content_type=response.get("ContentType"),
        content_encoding=response.get("ContentEncoding"),
        content_language=response.get("ContentLanguage"),
        url=metadata.get("url") or None,
        version_id=response.get("VersionId"),
        etag=(response.get("ETag") or "").strip('"') or None,
        last_modified=last_modified.isoformat() if last_modified is not None else None,
        head=head,
    )


class S3ArchiveSource:
    """Reads web archives from the input bucket by ranges: a streaming GET from a byte on, of
    the version (ETag) a run is of, so that a newer upload is never read as the old one."""

    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def open(self, bucket: str, key: str, *, start: int, version_id: str | None, etag: str | None) -> Any:
        request: dict[str, Any] = {"Bucket": bucket, "Key": key, "Range": f"bytes={start}-"}
        if version_id:
            request["VersionId"] = version_id
        if etag:
            request["IfMatch"] = f'"{etag}"'
        try:
            return self._s3.get_object(**request)["Body"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("InvalidRange", "416"):
                return io.BytesIO(b"")  # from the archive's end: nothing left
            if _missing(error) or code in _CHANGED_CODES:
                raise ObjectGone(f"s3://{bucket}/{key} is gone or changed ({code})") from error
            raise

    def head(self, bucket: str, key: str) -> StoredObject | None:
        return S3PageSource(self._s3).head(bucket, key)


class S3DocumentStore:
    """Writes and deletes documents in the documents bucket."""

    def __init__(self, s3_client: Any, *, bucket: str, prefix: str) -> None:
        self._s3 = s3_client
        self.bucket = bucket
        self.prefix = prefix

    def write(self, key: str, document: Document, *, run: str | None = None) -> None:
        metadata = {
            "document-id": document.id,
            "source-sha256": document.fingerprints.sha256,
            "content-sha256": content_sha256(document),
        }
        if run is not None:
            metadata["run"] = run
        self._s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=document_json(document),
            ContentType="application/json; charset=utf-8",
            Metadata=metadata,
        )

    def written(self, key: str) -> WrittenDocument | None:
        try:
            response = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        metadata = response.get("Metadata") or {}
        return WrittenDocument(metadata.get("source-sha256"), metadata.get("content-sha256"), metadata.get("run"))

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def put_bytes(self, key: str, data: bytes, *, content_type: str, content_encoding: str | None = None) -> None:
        extra = {"ContentEncoding": content_encoding} if content_encoding else {}
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if _missing(error):
                return None
            raise

    def list(self, prefix: str) -> Iterator[str]:
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def delete_many(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            chunk = keys[start : start + DELETE_BATCH]
            response = self._s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
            )
            if errors := response.get("Errors"):
                raise RuntimeError(f"{len(errors)} of {len(chunk)} deletions refused, first: {errors[0]}")
