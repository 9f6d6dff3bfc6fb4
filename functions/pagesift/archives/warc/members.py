"""The bottom layer of the WARC reader: the stored bytes as a forward-only stream with absolute
positions (kept back far enough to resume after a broken record), and a gzip member of them
inflated as a readable whose faults name the member."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pagesift.archives.ports import Readable

READ_CHUNK = 1 << 18  # bytes asked of the stream at a time
INFLATE_STEP = 1 << 16  # compressed bytes inflated at a time
# Compressed bytes of the current gzip member kept to resume after it if it is corrupt: a
# corrupt member larger than this may take the record after it with it.
RESYNC_HISTORY_BYTES = 32 * 1024 * 1024

_NOT_PADDING = re.compile(rb"[^\x00\r\n\t ]")


class Corrupt(Exception):
    """The bytes at ``offset`` are not a record (or not a gzip member)."""

    def __init__(
        self,
        message: str,
        offset: int,
        headers: dict[str, str] | None = None,
        *,
        member: bool = False,
        block_at: int | None = None,
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.headers = headers or {}
        self.member = member  # raised by the gzip member itself (its deflate data or its CRC)
        self.block_at = block_at  # where the record's block starts in the stream, once its headers are read


class Truncated(Corrupt):
    """The bytes end inside the record (or the gzip member) at ``offset``."""


class ByteStream:
    """A forward-only stream read in chunks, with absolute positions (``base`` is the first
    byte's). Bytes from a ``mark`` on stay kept (up to RESYNC_HISTORY_BYTES back), so that a
    reader can go back to just after a broken record; the last chunk read always does."""

    def __init__(self, raw: Readable, base: int) -> None:
        self._raw = raw
        self._buffer = bytearray()
        self._base = base  # absolute position of _buffer[0]
        self.position = base
        self._mark: int | None = None
        self.ended = False

    @property
    def end(self) -> int:
        """The position after the last byte read so far (the stream's end, once ``ended``)."""
        return self._base + len(self._buffer)

    def _fill(self, size: int) -> bool:
        """Have ``size`` bytes from ``position`` read, if the stream has them."""
        while self.end - self.position < size:
            if self.ended:
                return False
            more = self._raw.read(READ_CHUNK)
            if not more:
                self.ended = True
                return False
            self._buffer += more
        return True

    def _trim(self) -> None:
        keep_from = self.position - READ_CHUNK
        if self._mark is not None:
            keep_from = max(min(self._mark, keep_from), self.position - RESYNC_HISTORY_BYTES)
        drop = keep_from - self._base
        if drop > 4 * READ_CHUNK:  # in steps, so that dropping costs nothing per read
            del self._buffer[:drop]
            self._base += drop

    def peek(self, size: int) -> bytes:
        self._fill(size)
        at = self.position - self._base
        return bytes(self._buffer[at : at + size])

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes from ``position`` (what is buffered, else one chunk's worth)."""
        if self.end == self.position:
            self._fill(1)
        at = self.position - self._base
        data = bytes(self._buffer[at : at + size])
        self.position += len(data)
        self._trim()
        return data

    def take(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the stream's end."""
        self._fill(size)
        return self.read(size)

    def skip(self, size: int) -> int:
        """Pass over ``size`` bytes without keeping them; how many there were."""
        skipped = 0
        while skipped < size and (self.end > self.position or self._fill(1)):
            step = min(size - skipped, self.end - self.position)
            self.position += step
            skipped += step
            self._trim()
        return skipped

    def give_back(self, size: int) -> None:
        self.position -= size

    def skip_padding(self) -> None:
        """Pass over NULs and blank lines between records (which writers and tools add)."""
        while self._fill(1):
            found = _NOT_PADDING.search(self._buffer, self.position - self._base)
            if found is not None:
                self.position = self._base + found.start()
                break
            self.position = self.end
            self._trim()
        self._trim()

    def at_end(self) -> bool:
        return not self._fill(1)

    def mark(self) -> None:
        self._mark = self.position

    def back_to(self, position: int) -> None:
        """Go back to ``position``, or as near to it as is still kept."""
        self.position = max(position, self._base)
        self._mark = None

    def search(self, pattern: re.Pattern[bytes], limit: int, overlap: int = 4) -> Shifted | None:
        """The first match of ``pattern`` (at most ``overlap`` bytes long) in the next ``limit``
        bytes (its span relative to ``position``), reading on as needed; what was searched is
        not searched again."""
        at = self.position - self._base
        searched = at
        while True:
            if match := pattern.search(self._buffer, max(at, searched - overlap), min(len(self._buffer), at + limit)):
                return Shifted(match, at)
            searched = len(self._buffer)
            if self.end - self.position >= limit or not self._fill(self.end - self.position + 1):
                return None

    def seek(self, needle: re.Pattern[bytes], accept: Callable[[bytes], bool]) -> bool:
        """Move to the next match of ``needle`` (at most 8 bytes long) at or after ``position``
        that ``accept`` takes (given the 4 KB from it); False, at the end, if there is none.
        Reads on in bounded memory."""
        while True:
            found = needle.search(self._buffer, self.position - self._base)
            if found is None:
                self.position = max(self.position, self.end - 7)
                self._trim()
                if not self._fill(self.end - self.position + 1):
                    self.position = self.end
                    return False
                continue
            self.position = self._base + found.start()
            if accept(self.peek(4096)):
                self._trim()
                return True
            self.position += 1
            self._trim()


@dataclass(frozen=True, slots=True)
class Shifted:
    """A match in the buffer, with its span relative to where the search began."""

    match: re.Match[bytes]
    at: int

    def end(self) -> int:
        return self.match.end() - self.at


class GzipMember:
    """The decompressed bytes of the gzip member at the stored bytes' position, as a readable;
    its errors (corrupt deflate data, a wrong CRC, the end of the archive inside it) name it."""

    def __init__(self, stored: ByteStream) -> None:
        self._stored = stored
        self.offset = stored.position
        self._inflater = zlib.decompressobj(31)
        self._input = b""
        self.done = False
        self._fault: Corrupt | None = None  # raised by the next read, once what preceded it is read

    def read(self, size: int = READ_CHUNK) -> bytes:
        while not self.done:
            if self._fault is not None:
                raise self._fault
            if not self._input:
                self._input = self._stored.read(READ_CHUNK)
                if not self._input:
                    raise Truncated(
                        f"the archive ends inside the gzip member at {self.offset}", self.offset, member=True
                    )
            # In steps, so that what precedes a fault (a wrong CRC is found at the end) comes out first.
            piece, rest = self._input[:INFLATE_STEP], self._input[INFLATE_STEP:]
            before = self._inflater.copy()
            try:
                out = self._inflater.decompress(piece, size)
            except zlib.error as error:
                self._fault = Corrupt(
                    f"the gzip member at {self.offset} is corrupt ({error})", self.offset, member=True
                )
                self._fault.__cause__ = error
                self._input = b""
                # What the step held before the fault, whatever the stream's chunks were: the
                # step again, a byte at a time, from the state before it.
                out = _salvage(before, piece, size)
                if not out:
                    raise self._fault from error
                return out
            if self._inflater.eof:
                self._stored.give_back(len(self._inflater.unused_data) + len(rest))  # the next member's first bytes
                self._input, self.done = b"", True
            else:
                self._input = self._inflater.unconsumed_tail + rest
            if out:
                return out
        return b""


def _salvage(inflater: zlib._Decompress, piece: bytes, size: int) -> bytes:
    """Up to ``size`` bytes that ``piece`` inflates to before its fault, fed a byte at a time."""
    out = bytearray()
    for at in range(len(piece)):
        try:
            out += inflater.decompress(piece[at : at + 1], size - len(out))
        except zlib.error:
            break
        if len(out) >= size or inflater.eof:
            break
    return bytes(out)
