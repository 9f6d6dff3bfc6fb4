"""The article's title without the site's name around it ("Title | Site", "Site - Title")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|•)\s+")
_COMPACT = re.compile(r"[\W_]+")
# A heading's anchor glyph, kept when the title is read from the page's <h1> ("Installation¶").
_ANCHOR_GLYPH = re.compile(r"\s*[¶🔗⚓][\ufe0e\ufe0f]?$")


def _compact(text: str) -> str:
    """Letters and digits only, without accents: "Agrégateur Info" ~ agregateur-info.ma."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _COMPACT.sub("", plain)


def _is_site(part: str, sitename: str | None, hostname: str | None) -> bool:
    compact = _compact(part)
    if len(compact) < 3:
        return False
    if sitename and compact == _compact(sitename):
        return True
    # "Le Monde" for lemonde.fr, "Como Educar Seus Filhos" for comoeducarseusfilhos.com.br
    host = _compact(
        (hostname or "").split(".")[-3] if hostname and hostname.count(".") >= 2 else (hostname or "").split(".")[0]
    )
    return bool(host) and (compact == host or (len(host) >= 5 and compact.startswith(host)))


def clean_title(
    title: str | None, *, sitename: str | None = None, hostname: str | None = None, headings: Sequence[str] = ()
) -> str | None:
    """``title`` with a leading or trailing site name removed, when one is recognisable: when the
    page's own heading (``headings``: its <h1>s) is what comes before a separator, that is the
    title; otherwise a part that is the site's name goes."""
    if not title:
        return title
    title = _ANCHOR_GLYPH.sub("", " ".join(title.split()))
    if headings and (own := _leading_heading(title, headings)):
        return own
    if sitename:
        for pattern in (
            rf"^(?P<rest>.+?){_SEPARATORS.pattern}{re.escape(sitename)}$",
            rf"^{re.escape(sitename)}{_SEPARATORS.pattern}(?P<rest>.+)$",
        ):
            if (match := re.match(pattern, title, re.IGNORECASE)) and len(match.group("rest")) >= 10:
                return match.group("rest").strip()
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    separators = _SEPARATORS.findall(title)
    if _is_site(parts[-1], sitename, hostname):
        rest = title[: title.rfind(separators[-1])]
    elif _is_site(parts[0], sitename, hostname):
        rest = title[title.find(separators[0]) + len(separators[0]) :]
    else:
        return title
    return rest.strip() if len(rest.strip()) >= 10 else title


def _leading_heading(title: str, headings: Sequence[str]) -> str | None:
    """The longest part of ``title`` before a separator that is one of the page's headings
    ("useState – React" on a page whose <h1> is "useState"), or None."""
    compact_headings = {compact for heading in headings if len(compact := _compact(heading)) >= 3}
    found = None
    for separator in _SEPARATORS.finditer(title):
        leading = title[: separator.start()].strip()
        if _compact(leading) in compact_headings:
            found = leading
    return found
