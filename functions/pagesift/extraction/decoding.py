"""Bytes as stored → HTML text: gzip by magic bytes or Content-Encoding, then the charset.

Crawlers store pages as they came off the wire: gzip-compressed or not, labelled or not,
in legacy encodings. The order of charset evidence follows what browsers do (WHATWG
"encoding sniffing"): byte-order mark, then the transport's Content-Type, then the page's
own ``<meta charset>`` / ``http-equiv``, then detection.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from typing import NamedTuple

from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage

GZIP_MAGIC = b"\x1f\x8b"

# Formats that are commonly dropped next to pages by mistake; named so the error says what it is.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or an Office document)"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"RIFF", "RIFF media (WebP, WAV or AVI)"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x7fELF", "ELF executable"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([a-zA-Z0-9._:\-]+)""", re.IGNORECASE)
# Bounded attribute runs: an unclosed "<meta" repeated many times must not cost quadratic time.
_META_TAG = re.compile(rb"<meta\b[^>]{0,1024}>", re.IGNORECASE)
_MARKUP = re.compile(
    r"<\s*(?:!doctype|html|head|body|meta|title|p|div|article|main|section|span|h[1-6]|br|table|a)\b", re.IGNORECASE
)

# Labels that browsers map to another decoder: ISO-8859-1 and ASCII pages are decoded as
# windows-1252 on the web, so curly quotes in such pages come out right.
_WHATWG_ALIASES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "tis-620": "windows-874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
}
# The WHATWG Encoding Standard's legacy single-byte encodings (and Latin-1, which Python keeps
# apart from windows-1252). Text in any of them is almost never valid UTF-8 once it has
# non-ASCII bytes (their letters sit at 0xC0-0xFF, which UTF-8 only allows before 0x80-0xBF),
# so valid UTF-8 behind such a label is a UTF-8 page mislabelled, and the bytes win.
_WHATWG_SINGLE_BYTE_LABELS = (
    "ibm866",
    "iso-8859-2",
    "iso-8859-3",
    "iso-8859-4",
    "iso-8859-5",
    "iso-8859-6",
    "iso-8859-7",
    "iso-8859-8",
    "iso-8859-10",
    "iso-8859-13",
    "iso-8859-14",
    "iso-8859-15",
    "iso-8859-16",
    "koi8-r",
    "koi8-u",
    "macintosh",
    "mac-cyrillic",
    "windows-874",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "windows-1253",
    "windows-1254",
    "windows-1255",
    "windows-1256",
    "windows-1257",
    "windows-1258",
)
# How far into a page to look for <meta charset>, as browsers do (they prescan 1,024 bytes;
# real pages put long scripts first, so look further).
_PRESCAN_BYTES = 16_384
# How much of a page charset detection and the markup check read: enough to decide, cheap on
# multi-megabyte pages.
_SAMPLE_BYTES = 262_144
# How much of the start the binary sniffer reads.
_SNIFF_BYTES = 4_096


@dataclass(frozen=True, slots=True)
class DecodedPage:
    html: str
    encoding: str  # the codec that decoded it, e.g. "utf-8", "windows-1256"
    encoding_source: str  # "bom", "content-type", "meta", "detected" or "default"
    compressed: bool
    decoded_bytes: int


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip (several members allowed), refusing to expand past ``max_bytes``.

    Reads in bounded steps so a gzip bomb (a few KB that expand to GBs) costs at most
    ``max_bytes`` of memory before it is refused.
    """
    out = bytearray()
    remaining = data
    while remaining:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = remaining
        try:
            while chunk:
                out += inflater.decompress(chunk, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise ExtractionError(
                        f"gzip content expands past the limit of {max_bytes:,} bytes",
                        kind=ErrorKind.INPUT_TOO_LARGE,
                        stage=Stage.DECODE,
                    )
                chunk = inflater.unconsumed_tail
            out += inflater.flush()
        except zlib.error as exc:
            raise ExtractionError(
                f"gzip data is corrupt or truncated: {exc}", kind=ErrorKind.CORRUPT_COMPRESSION, stage=Stage.DECODE
            ) from exc
        if not inflater.eof:
            raise ExtractionError(
                "gzip data is truncated (the stream ends before its last block)",
                kind=ErrorKind.CORRUPT_COMPRESSION,
                stage=Stage.DECODE,
            )
        remaining = inflater.unused_data.lstrip(b"\x00")
        if remaining and not remaining.startswith(GZIP_MAGIC):
            break  # trailing garbage after a complete member: ignore it, as gzip(1) does
    return bytes(out)


def _undo_encoding(data: bytes, encoding: str, max_bytes: int) -> bytes:
    """Undo ``br`` or ``deflate`` (zlib-wrapped or raw, as servers send both), refusing to
    expand past ``max_bytes``. Bytes labelled so that are already markup (the client that
    stored them had decoded them) are kept as they are."""
    too_large = ExtractionError(
        f"{encoding} content expands past the limit of {max_bytes:,} bytes",
        kind=ErrorKind.INPUT_TOO_LARGE,
        stage=Stage.DECODE,
    )
    try:
        if encoding == "br":
            import brotli  # only pages that need it pay for the import

            decompressor = brotli.Decompressor()
            out = decompressor.process(data, output_buffer_limit=max_bytes + 1)
            if len(out) > max_bytes:
                raise too_large
            if not decompressor.is_finished():
                raise ValueError("the stream ends before its last block")
            return out
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            inflater = zlib.decompressobj(wbits)
            try:
                out = inflater.decompress(data, max_bytes + 1)
            except zlib.error:
                continue
            if len(out) > max_bytes:
                raise too_large
            if inflater.eof:
                return out
        raise ValueError("not a deflate stream, zlib-wrapped or raw")
    except ExtractionError:
        raise
    except Exception as error:  # brotli.error, ValueError
        if _MARKUP.search(data[:_SAMPLE_BYTES].decode("latin-1")):
            return data
        raise ExtractionError(
            f"{encoding} data is corrupt or truncated: {error}", kind=ErrorKind.CORRUPT_COMPRESSION, stage=Stage.DECODE
        ) from error


def _codec(label: bytes | str | None) -> str | None:
    """Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = name.strip().strip("\"'").lower()
    name = _WHATWG_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # Python also registers bytes-to-bytes codecs (base64, hex, zlib, rot13...): not charsets.
    return info.name if getattr(info, "_is_text_encoding", True) else None


# (+ Latin-1 itself, which a label such as "iso_8859-1" reaches past the aliases above)
_SINGLE_BYTE = frozenset(codec for label in _WHATWG_SINGLE_BYTE_LABELS if (codec := _codec(label))) | {
    codecs.lookup("latin-1").name
}


def _declared_in_page(head: bytes) -> str | None:
    for tag in _META_TAG.finditer(head):
        match = _CHARSET_PARAM.search(tag.group(0))
        if match:
            codec = _codec(match.group(1))
            # A page that says it is UTF-16 in ASCII-compatible bytes is not UTF-16 (WHATWG).
            if codec and not codec.startswith("utf-16"):
                return codec
    return None


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes  # imported only when nothing is declared

    best = from_bytes(data[:_SAMPLE_BYTES]).best()
    codec = _codec(best.encoding) if best is not None else None
    return codec or "windows-1252"


def sniff_binary(data: bytes, *, wide_text: bool = False) -> str | None:
    """Name of the binary format ``data`` starts with, or None when it may be text."""
    for signature, name in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return name
    head = data[:_SNIFF_BYTES]
    if head and not wide_text and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Text in ASCII-compatible encodings has almost no NUL or raw control bytes.
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > len(head) * 0.1:
            return "binary file"
    return None


def not_a_page(head: bytes) -> str | None:
    """Why a file whose first bytes (gzip undone) are ``head`` is not an HTML page (the binary
    format it starts with, or text without markup), or None when it may be one: how a folder's
    files are told from pages whatever their names."""
    if not head.strip():
        return "empty"
    binary = sniff_binary(head)
    if binary:
        return binary
    wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = head.decode("utf-16" if wide else "latin-1", errors="ignore")
    return None if _MARKUP.search(text) else "text without HTML markup"


def decode_page(
    data: bytes,
    *,
    content_type: str | None = None,
    content_encoding: str | None = None,
    max_bytes: int,
) -> DecodedPage:
    """Turn stored bytes into HTML text, or raise ExtractionError saying why not."""
    if not data:
        raise ExtractionError("the object is empty (0 bytes)", kind=ErrorKind.EMPTY_INPUT, stage=Stage.DECODE)
    compressed = data.startswith(GZIP_MAGIC)
    data = _decompressed(data, (content_encoding or "").strip().lower(), max_bytes)
    if not data.strip():
        raise ExtractionError("the page is empty once decompressed", kind=ErrorKind.EMPTY_INPUT, stage=Stage.DECODE)
    data, declared = _transport_charset(data, content_type)
    _refuse_binary(data, declared)
    charset = _charset(data, declared)
    html, charset = _decoded(data, charset)
    html = html.replace("\x00", "")
    if not _MARKUP.search(html[:_SAMPLE_BYTES]):
        raise ExtractionError(
            "the object has no HTML markup (no <html>, <body>, <p> or similar tag)",
            kind=ErrorKind.NOT_HTML,
            stage=Stage.DECODE,
        )
    return DecodedPage(html, charset.encoding, charset.source, compressed, len(data))


class _Charset(NamedTuple):
    encoding: str  # a Python codec name
    source: str  # what said it: "bom", "content-type", "meta" or "detected"


def _decompressed(data: bytes, encoding_header: str, max_bytes: int) -> bytes:
    """``data`` decompressed: gzip by its magic bytes whatever its label, br and deflate by
    their Content-Encoding (``encoding_header``, lower case)."""
    if data.startswith(GZIP_MAGIC):
        return gunzip(data, max_bytes)
    if encoding_header in ("gzip", "x-gzip"):
        # Labelled gzip but not gzip bytes: an HTTP client already decompressed it. Use as is.
        return data
    if encoding_header in ("br", "deflate"):
        # As web servers send them, and as web archives keep response bodies.
        return _undo_encoding(data, encoding_header, max_bytes)
    if encoding_header in ("compress", "zstd") or "," in encoding_header:
        raise ExtractionError(
            f"Content-Encoding {encoding_header!r} is not supported (store pages as gzip, br, deflate or plain)",
            kind=ErrorKind.UNSUPPORTED_ENCODING,
            stage=Stage.DECODE,
        )
    return data


def _transport_charset(data: bytes, content_type: str | None) -> tuple[bytes, _Charset | None]:
    """The charset that ``data``'s byte-order mark says (and ``data`` without it), else the one
    the Content-Type names, else None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :], _Charset(name, "bom")
    if content_type:
        match = _CHARSET_PARAM.search(content_type.encode("latin-1", "ignore")[:1024])
        if match and (encoding := _codec(match.group(1))):
            return data, _Charset(encoding, "content-type")
    return data, None


def _refuse_binary(data: bytes, declared: _Charset | None) -> None:
    """Raise NotHtml when ``data`` is a binary format (an image, an archive...), named."""
    # UTF-16 and UTF-32 text is full of NUL bytes: only the signatures tell it from binary.
    binary = sniff_binary(data, wide_text=bool(declared and declared.encoding.startswith(("utf-16", "utf-32"))))
    if binary:
        raise ExtractionError(
            f"the object is a {binary}, not an HTML page", kind=ErrorKind.NOT_HTML, stage=Stage.DECODE
        )


def _charset(data: bytes, declared: _Charset | None) -> _Charset:
    """The charset to decode ``data`` by: the one the transport declared, else the page's own
    ``<meta>``, else what the bytes look like."""
    if declared is None:
        in_page = _declared_in_page(data[:_PRESCAN_BYTES])
        if not in_page:
            return _Charset("utf-8" if _is_utf8(data) else _detect(data), "detected")
        declared = _Charset(in_page, "meta")
    if declared.encoding in _SINGLE_BYTE and not data.isascii() and _is_utf8(data):
        # A UTF-8 page behind a single-byte label (a common crawler or CMS mistake; see above).
        return _Charset("utf-8", "detected")
    return declared


def _decoded(data: bytes, charset: _Charset) -> tuple[str, _Charset]:
    """``data`` decoded, and the charset that decoded it."""
    try:
        return data.decode(charset.encoding), charset
    except UnicodeDecodeError:
        # Mislabelled pages are common (a UTF-8 page behind a latin-1 label and the reverse):
        # prefer what the bytes say over a label they contradict.
        fallback = "utf-8" if _is_utf8(data) else _detect(data)
        if fallback != charset.encoding:
            charset = _Charset(fallback, "detected")
        return data.decode(charset.encoding, errors="replace"), charset


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
