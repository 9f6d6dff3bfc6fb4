"""Which addresses a document may carry: ``url``, ``image`` and ``hostname`` go out in events
to indexers and thumbnailers that follow them, so only what is safe to follow gets through.

An address is kept when it is an absolute ``http`` or ``https`` URL of a public host: no
``javascript:``, ``data:`` or ``file:`` scheme, no credentials in it, no ``localhost`` or
name of a private zone, no IP literal outside the public internet (``169.254.169.254``,
``127.0.0.1``, ``10.0.0.0/8``...). Anything else becomes None: the page's own text is
untouched, but no field of the document holds an address it could be sent to.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urljoin, urlsplit

MAX_URL_CHARACTERS = 2048  # what browsers and CDNs take in practice; longer is no page address
_SCHEMES = frozenset({"http", "https"})
# Names that resolve inside a host or a private network, never on the public internet
# (RFC 6761 and 6762; "internal" is reserved for private use by ICANN).
_PRIVATE_NAMES = ("localhost", "local", "internal", "localdomain", "home.arpa", "intranet", "lan")


def public_url(value: str | None, *, base: str | None = None) -> str | None:
    """``value`` when it is an absolute http(s) URL of a public host (resolved against ``base``,
    itself a public URL, when relative), else None."""
    if not value or not isinstance(value, str):
        return None
    candidate = value.strip()
    if not candidate or len(candidate) > MAX_URL_CHARACTERS or any(ord(c) < 0x21 or c == "\x7f" for c in candidate):
        return None
    try:
        if base is not None and not urlsplit(candidate).scheme:  # relative: resolved against the page
            if public_url(base) is None:
                return None
            candidate = urljoin(base, candidate)
        parts = urlsplit(candidate)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not host or parts.username is not None or parts.password is not None:
        return None
    return candidate if _is_public_host(host) else None


def hostname(url: str | None) -> str | None:
    """The host of a public URL, without a leading ``www.`` (None for any other value)."""
    url = public_url(url)
    if url is None:
        return None
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def _is_public_host(host: str) -> bool:
    host = host.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return address.is_global and not address.is_multicast
    if not host or "." not in host:
        return False  # a bare name ("intranet", "metadata") resolves only inside a network
    if any(host == name or host.endswith(f".{name}") for name in _PRIVATE_NAMES):
        return False
    labels = host.split(".")
    if labels[-1].isdigit():
        return False  # "127.1", "10.0.1": IPv4 in shorthand, which resolvers accept (no TLD is digits)
    if any(label.startswith("0x") for label in labels):
        return False  # "0x7f.0.0.1": hexadecimal IPv4
    return True
