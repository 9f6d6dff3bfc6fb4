"""The HTTP message inside a response record: parsed by FastWARC (its HTTP header parser and its
chunked transfer decoding), with the leniencies that browsers and warcio have and FastWARC lacks
(heads whose lines end in LF alone, chunk extensions, bodies stored de-chunked)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from fastwarc.warc import HeaderMap

# Of a record too large to be a page, this much is kept to read its HTTP headers by.
OVERSIZED_HEAD_BYTES = 64 * 1024


class UnreadableHttp(Exception):
    """FastWARC could not read a record's HTTP message (its error is the cause)."""


_HTTP_HEAD_END = re.compile(rb"\r?\n\r?\n")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


def crlf_head(block: bytes) -> bytes:
    """``block`` (an HTTP message) with the lines of its head ended by CRLF. Servers and
    hand-made archives that end them with LF alone are read as browsers and warcio read them;
    FastWARC would find the status line and then no header and no body."""
    end = _HTTP_HEAD_END.search(block, 0, OVERSIZED_HEAD_BYTES)
    if end is None or (end.group() == b"\r\n\r\n" and not _BARE_LF.search(block, 0, end.start())):
        return block
    return _BARE_LF.sub(b"\r\n", block[: end.start()]) + b"\r\n\r\n" + block[end.end() :]


def says_chunked(block: bytes) -> bool:
    """Whether ``block``'s HTTP head says ``Transfer-Encoding: chunked``."""
    end = _HTTP_HEAD_END.search(block, 0, OVERSIZED_HEAD_BYTES)
    return end is not None and bool(
        re.search(rb"\ntransfer-encoding[ \t]*:[^\r\n]*chunked", block[: end.start()], re.IGNORECASE)
    )


def dechunk(body: bytes) -> bytes:
    """A chunked body's data, chunk extensions and trailers left out; one that ends between two
    chunks gives what came (as FastWARC does). ValueError for a body that is not chunked or a
    chunk cut short."""
    out = bytearray()
    at = 0
    while at < len(body):
        line = _CHUNK_SIZE_LINE.match(body, at)
        if line is None:
            raise ValueError(f"no chunk size line at {at} of the body")
        size, at = int(line.group(1), 16), line.end()
        if size == 0:
            break
        if at + size > len(body):
            raise ValueError(f"a chunk of {size:,} bytes runs past the body's end")
        out += body[at : at + size]
        at += size
        at += 2 if body.startswith(b"\r\n", at) else 1 if body.startswith(b"\n", at) else 0
    return bytes(out)


class HttpMessage(NamedTuple):
    status: int
    headers: HeaderMap
    body: bytes


def parse_http(block: bytes, decode: Literal["none", "transfer"]) -> HttpMessage:
    """The HTTP headers and body of ``block``, parsed by FastWARC behind WARC headers of
    pagesift's making (the record's own were read already, and may end lines with LF alone);
    ``decode``: FastWARC's auto_decode ('transfer' de-chunks). Raises UnreadableHttp."""
    from fastwarc.warc import ArchiveIterator  # imported with the first archive, not by every page

    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n" % len(block)
    )
    try:
        parsed = next(
            iter(ArchiveIterator(io.BytesIO(header + block + b"\r\n\r\n"), auto_decode=decode, parse_http=True)), None
        )
        status = None if parsed is None or not parsed.is_http else parsed.http_headers.status_code
        if parsed is None or not status:
            raise ValueError("no HTTP status line")
        return HttpMessage(status, parsed.http_headers, parsed.reader.read())
    except Exception as error:  # OSError: FastWARC's word for HTTP it cannot read (bad chunks, huge headers)
        raise UnreadableHttp(str(error)) from error
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ != "PanicException":
            raise
        raise UnreadableHttp(str(error)) from error


def parse_stored_dechunked(block: bytes) -> HttpMessage:
    """``block`` parsed as it is stored, its body de-chunked here if it starts with a chunk size
    line: for a body chunked as FastWARC does not read it (with chunk extensions, ``1f4;name=value``,
    which HTTP allows), or not chunked at all (some writers store the body de-chunked and keep the
    header: it is read as stored, as warcio and browsers read it). Raises UnreadableHttp, or
    ValueError for chunks cut short."""
    message = parse_http(block, "none")
    return message._replace(body=dechunk(message.body)) if _CHUNK_SIZE_LINE.match(message.body) else message


class MediaType(NamedTuple):
    mime: str  # lower case, without its parameters
    params: str | None


def mime_type(content_type: str | None) -> MediaType:
    if not content_type:
        return MediaType("", None)
    mime, _, params = content_type.partition(";")
    return MediaType(mime.strip().lower(), params)
