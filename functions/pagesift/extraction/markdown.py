"""The document's markdown, rendered from the kept body (trafilatura's XML vocabulary: ``p``,
``head``, ``list``/``item``, ``quote``, ``code``, ``table``/``row``/``cell``, ``lb``, ``hi``,
``ref``, ``del``), with what the page's source tree says that the body lost: the language of
a code block and the links of the text (``SourceHints``).

The markdown holds the words of the plain text and nothing else of the page: it never adds or
drops a block, it only marks the blocks the text has (headings, lists, tables, quotes, code)
and the links in them.
Whitespace of the page's source never reaches it (four leading spaces would make a code block
of a paragraph); only code keeps its own.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

from lxml import etree
from trafilatura.utils import remove_control_characters

# Body elements that stand on their own lines; anything else inside a block is inline.
_BLOCK_TAGS = frozenset({"p", "head", "list", "item", "quote", "code", "table", "row", "cell", "div"})
_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
_EMPHASIS = {"#b": "**", "#i": "*", "#t": "`"}
# HTML's collapsible whitespace, and the separators the text takes for line ends (a no-break
# space stays)
_WHITESPACE = re.compile(r"[ \t\n\r\f\v\x1c-\x1e\x85\u2028\u2029]+")
_LINE_BREAK = "\x00"  # an <lb> while a block's inline text is assembled
# Characters that would start inline markup: emphasis, code spans, links, raw HTML.
_INLINE_SPECIAL = re.compile(r"[*`\[\]]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])|\\(?=[!-/:-@\[-`{-~])")
# What would make a line of text read as another block: a heading, a quote, a list item, a
# rule or a setext underline, a fence, a table row.
_BLOCK_START = re.compile(r"^(?:#|>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|=+\s*$|-+\s*$|```|~~~|\|)")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_CLOSING_HASHES = re.compile(r"(\s)(#+)$")
# A cell's pieces (paragraphs, lines, list items) are joined with "; " unless the first ends
# like a sentence or a clause: a table row stays one line.
_ENDS_CLAUSE = re.compile(r"[.!?:;,…。]$")


@dataclass(slots=True)
class SourceHints:
    """What the page's source tree says about the body's blocks that the body lost: each code
    block's language and its text as written (its lines), keyed by its text without
    whitespace; each link's target, keyed by its words, with the words before and after it."""

    code_languages: dict[str, str] = field(default_factory=dict)
    code_texts: dict[str, str] = field(default_factory=dict)
    links: dict[tuple[str, ...], list[SourceLink]] = field(default_factory=dict)
    base: str | None = None  # the page's address, which the links' targets are relative to


@dataclass(frozen=True, slots=True)
class SourceLink:
    before: tuple[str, ...]  # the words before the link in the source, at most CONTEXT_WORDS
    after: tuple[str, ...]
    href: str  # as the source has it: made absolute only for the links the body keeps


def render_markdown(body: etree._Element, hints: SourceHints | None = None) -> str:
    """The body as markdown: headings, paragraphs, lists (nested ones indented), block quotes,
    fenced code with its language, tables with one header row and rows of equal width, and
    the source's links where their words stand in the body. Marks the tree (links): call it
    last on a body."""
    hints = hints or SourceHints()
    if hints.links:
        add_links(body, hints)
    return "\n\n".join(_blocks(body, hints)).strip()


# --- blocks -----------------------------------------------------------------------------------


def _blocks(container: etree._Element, hints: SourceHints) -> list[str]:
    """The markdown blocks of ``container``'s content, in order: its block children each make
    one, and the loose text and inline elements between them make paragraphs."""
    blocks: list[str] = []
    pending: list[str] = []  # inline markdown waiting for its paragraph

    def flush() -> None:
        if paragraph := _paragraph("".join(pending)):
            blocks.append(paragraph)
        pending.clear()

    if container.text:
        pending.append(_escaped(container.text))
    for child in container:
        if not isinstance(child.tag, str):
            pass
        elif child.tag == "lb" and container.tag == "body":
            flush()  # a line break between blocks separates paragraphs
        elif _is_block(child):
            flush()
            if block := _block(child, hints):
                blocks.append(block)
        else:
            pending.append(_inline(child))
        if child.tail:
            pending.append(_escaped(child.tail))
    flush()
    return blocks


def _is_block(element: etree._Element) -> bool:
    if element.tag == "code":
        return _is_code_block(element)
    if element.tag in _BLOCK_TAGS:
        return True
    # an unknown element (a tag the extractor passed through) is a block when it holds blocks
    return any(isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element)


def _block(element: etree._Element, hints: SourceHints) -> str:
    tag = element.tag
    if tag == "head":
        return _heading(element)
    if tag == "list":
        return _list(element, hints)
    if tag == "quote":
        return _quote(element, hints)
    if tag == "code":
        return _code_block(element, hints)
    if tag == "table":
        return _table(element)
    # p, div, an item or a cell out of place, an unknown container: its content in the flow
    return "\n\n".join(_blocks(element, hints))


def _paragraph(inline: str) -> str:
    """Inline markdown as a paragraph: source whitespace collapsed, one line per line break,
    each line starting like prose (escaped where it would start another block)."""
    lines = (_WHITESPACE.sub(" ", line).strip() for line in inline.split(_LINE_BREAK))
    return "\n".join(_escape_block_start(line) for line in lines if line)


def _escape_block_start(line: str) -> str:
    if not _BLOCK_START.match(line):
        return line
    if ordered := _ORDERED_MARKER.match(line):  # "1. " → "1\. "
        return f"{ordered.group(1)}\\{line[ordered.end(1) :]}"
    return "\\" + line


def _heading(element: etree._Element) -> str:
    text = " ".join(_paragraph(_inline_content(element)).splitlines())
    if not text:
        return ""
    level = _HEADING_LEVELS.get(element.get("rend") or "", 2)
    if text.startswith("\\") and _BLOCK_START.match(text[1:]):
        text = text[1:]  # on a heading's line, a leading "-" or "1." is just text
    text = _CLOSING_HASHES.sub(r"\1\\\2", text)  # a trailing " #" would close the heading
    return f"{'#' * level} {text}"


def _list(element: etree._Element, hints: SourceHints) -> str:
    """Items one to a line, ``- `` or ``1. ``; an item's further blocks and nested lists indented
    under its text; a definition (``dd``) indented under its term."""
    ordered = element.get("rend") == "ol"
    lines: list[str] = []
    number = 0
    for item in element:
        if not isinstance(item.tag, str):
            continue
        blocks = _blocks(item, hints) if item.tag == "item" else [_block(item, hints)]
        blocks = [block for block in blocks if block]
        if not blocks:
            continue
        if (item.get("rend") or "").startswith("dd") and lines:
            lines.append(_indented("\n".join(blocks), "  ", first="  "))
            continue
        number += 1
        marker = f"{number}. " if ordered else "- "
        lines.append(_item(blocks, marker))
    return "\n".join(lines)


def _item(blocks: list[str], marker: str) -> str:
    """One list item: its first block after the marker, the others indented to its text (a
    nested list follows without a blank line)."""
    indent = " " * len(marker)
    first, *rest = blocks
    if _LIST_LINE.match(first):  # an item that opens with its sublist: the sublist takes its place
        text = first
    else:
        text = _indented(first, indent, first=marker)
    for block in rest:
        separator = "\n" if _LIST_LINE.match(block) else "\n\n"
        text += separator + _indented(block, indent, first=indent)
    return text


_LIST_LINE = re.compile(r"^(?:[-+*]|\d{1,9}[.)]) ")


def _indented(text: str, indent: str, *, first: str) -> str:
    """``text`` with ``first`` before its first line and ``indent`` before the others (blank
    lines stay blank)."""
    lines = text.split("\n")
    return "\n".join([first + lines[0], *(indent + line if line else "" for line in lines[1:])])


def _quote(element: etree._Element, hints: SourceHints) -> str:
    text = "\n\n".join(block for block in _blocks(element, hints) if block)
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n")) if text else ""


# --- code -------------------------------------------------------------------------------------

# Classes that name a code block's language: "language-rust", "lang-rust", "highlight-rust"
# (Sphinx), "highlight-source-rust" (GitHub), "brush: rust" (SyntaxHighlighter), "sourceCode
# rust" (pandoc).
_LANGUAGE_CLASS = re.compile(
    r"(?:^|\s)(?:language-|lang-|highlight-source-|highlight-|brush:\s*)([A-Za-z0-9_+#.-]{1,24})"
    r"|(?:^|\s)sourceCode\s+([A-Za-z0-9_+#.-]{1,24})"
)
_LANGUAGE_ATTRIBUTES = ("data-lang", "data-language", "lang")
# What the classes say when a block has no language.
_NO_LANGUAGE = frozenset({"none", "text", "plain", "plaintext", "txt", "nohighlight", "default", "notranslate"})
# A code block is looked up in the source by its text without whitespace, from this many
# characters (a shorter one, "ls", would find any block).
MIN_CODE_KEY_CHARACTERS = 12
# The source's wrappers of a code block that may name its language: <pre>, then a <div> or two.
_LANGUAGE_WRAPPER_LEVELS = 3


def _is_code_block(code: etree._Element) -> bool:
    """Code on lines of its own: a <code> between blocks, or one with more than one line."""
    parent = code.getparent()
    if parent is not None and parent.tag in ("body", "quote", "div"):
        return True
    return "\n" in "".join(code.itertext()) or code.find(".//lb") is not None


def _code_block(code: etree._Element, hints: SourceHints) -> str:
    text = _code_text(code)
    if not text.strip():
        return ""
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return f"{fence}{_language(code, text, hints)}\n{text}\n{fence}"


def _code_text(code: etree._Element) -> str:
    """The code as written: its lines, blank ones included, without the blank lines around it
    or the indentation common to all of them."""
    parts: list[str] = []
    _append_code_text(code, parts)
    lines = "".join(parts).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return textwrap.dedent("\n".join(line.rstrip() for line in lines))


def _append_code_text(element: etree._Element, parts: list[str]) -> None:
    if element.tag == "lb":
        parts.append("\n")
    elif isinstance(element.tag, str) and element.text:  # a comment's text is no code
        parts.append(_readable(element.text))
    for child in element:
        _append_code_text(child, parts)
        if child.tail:
            parts.append(_readable(child.tail))


def _longest_run(text: str, character: str) -> int:
    runs = re.findall(f"{re.escape(character)}+", text)
    return max(map(len, runs), default=0)


def _language(code: etree._Element, text: str, hints: SourceHints) -> str:
    """The block's language from its own classes, or from its source's, or none."""
    for element in code.iter():
        if isinstance(element.tag, str) and (language := element_language(element)):
            return language
    return hints.code_languages.get(code_key(text), "")


def element_language(element: etree._Element) -> str:
    """The language an element's class or data attributes name ("" when none)."""
    for attribute in _LANGUAGE_ATTRIBUTES:
        value = (element.get(attribute) or "").strip().lower()
        if value and value not in _NO_LANGUAGE and re.fullmatch(r"[a-z0-9_+#.-]{1,24}", value):
            return value if attribute != "lang" or element.tag in ("code", "pre") else ""
    for match in _LANGUAGE_CLASS.finditer(element.get("class") or ""):
        language = (match.group(1) or match.group(2)).lower().rstrip(".;")
        if language not in _NO_LANGUAGE:
            return language
    return ""


def code_key(text: str) -> str:
    """A code block's text without whitespace (extractors indent and wrap it differently)."""
    return "".join(text.split())


def _inline_code(code: etree._Element) -> str:
    text = _WHITESPACE.sub(" ", _readable("".join(code.itertext()))).strip()
    if not text:
        return ""
    fence = "`" * (_longest_run(text, "`") + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


# --- tables -----------------------------------------------------------------------------------


def _table(table: etree._Element) -> str:
    """A GitHub table: the first row is its header (markdown has no table without one), every
    row as wide as the widest, one cell per cell whatever it holds. A caption row (one filled
    cell over a wider table) is a line above it."""
    filled = [(row, cells) for row in table if row.tag == "row" if any(cells := [_cell(c) for c in _cells(row)])]
    if not filled:
        return ""
    caption = ""
    if len(filled) > 1 and _is_caption_row(filled[0][0]):
        caption, filled = filled[0][1][0], filled[1:]
    rows = [cells for _, cells in filled]
    width = max(len(row) for row in rows)
    if width == 1 and len(rows) == 1:
        return "\n\n".join(filter(None, (caption, _escape_block_start(rows[0][0]))))
    lines = [_row([*row, *[""] * (width - len(row))]) for row in rows]
    lines.insert(1, "|" + "---|" * width)
    return "\n\n".join(filter(None, (caption, "\n".join(lines))))


def _cells(row: etree._Element) -> list[etree._Element]:
    return [cell for cell in row if cell.tag == "cell"]


def _is_caption_row(row: etree._Element) -> bool:
    """trafilatura's row for a <caption>: one filled header cell, padded to the table's width."""
    cells = _cells(row)
    filled = [cell for cell in cells if "".join(cell.itertext()).strip()]
    return len(cells) > 1 and filled == cells[:1] and cells[0].get("role") == "head"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(cell: etree._Element) -> str:
    """A cell's content on one line: its paragraphs, lines and list items joined by "; " (by a
    space after a piece that ends a sentence), its bars escaped."""
    pieces = [_WHITESPACE.sub(" ", piece).strip() for piece in _cell_pieces(cell)]
    text = ""
    for piece in filter(None, pieces):
        text += (" " if not text or _ENDS_CLAUSE.search(text) else "; ") + piece
    return text.strip().replace("|", "\\|")


def _cell_pieces(element: etree._Element) -> list[str]:
    """The lines of ``element``'s content, as a cell shows them: a line break or a block starts
    a new one."""
    pieces = [""]
    if element.text:
        pieces[-1] += _escaped(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            pass
        elif child.tag == "lb":
            pieces.append("")
        elif child.tag == "code" and not child.get("rend"):
            pieces[-1] += _inline_code(child)
        elif child.tag in _BLOCK_TAGS or _is_block(child):
            pieces += [*_cell_pieces(child), ""]
        else:
            pieces[-1] += _inline(child)
        if child.tail:
            pieces[-1] += _escaped(child.tail)
    return [piece.replace(_LINE_BREAK, " ") for piece in pieces]


# --- inline -----------------------------------------------------------------------------------


def _inline(element: etree._Element) -> str:
    """An inline element as markdown (its tail is the caller's)."""
    tag = element.tag
    if tag == "lb":
        return _LINE_BREAK
    if tag == "code":
        return _inline_code(element)
    if tag == "graphic":
        return ""  # images are not extracted; an alt text is no part of the text
    content = _inline_content(element)
    if not content.strip():
        return content
    if tag == "ref" and (target := element.get("target")):
        return _spaced(content, lambda text: f"[{text}]({_link_target(target)})")
    if tag == "del":
        return _spaced(content, lambda text: f"~~{text}~~")
    if tag == "hi" and (marker := _EMPHASIS.get(element.get("rend") or "")):
        return _spaced(content, lambda text: f"{marker}{text}{marker}")
    return content


def _inline_content(element: etree._Element) -> str:
    parts = [_escaped(element.text)] if element.text else []
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_inline(child) if not _is_block(child) else _LINE_BREAK + _inline_content(child) + _LINE_BREAK)
        if child.tail:
            parts.append(_escaped(child.tail))
    return "".join(parts)


def _spaced(content: str, wrap: Callable[[str], str]) -> str:
    """``wrap`` applied to ``content`` without its flanking whitespace, which stays outside
    (``** bold**`` is no emphasis in markdown)."""
    stripped = _WHITESPACE.sub(" ", content.replace(_LINE_BREAK, " ")).strip()
    leading = " " if content[:1].isspace() else ""
    trailing = " " if content[-1:].isspace() else ""
    return f"{leading}{wrap(stripped)}{trailing}"


def _escaped(text: str) -> str:
    return _INLINE_SPECIAL.sub(lambda match: "\\" + match.group(0), _readable(text))


def _readable(text: str) -> str:
    """Text as the plain text has it: entities left in it read, invisible characters out."""
    return remove_control_characters(unescape(text)) if "&" in text or not text.isprintable() else text


def _link_target(target: str) -> str:
    return f"<{target}>" if any(character in target for character in " <>()") else target


# --- the source tree --------------------------------------------------------------------------


def source_hints(tree: etree._Element | None, url: str | None = None) -> SourceHints:
    """What the markdown may take from the page's source tree (read before anything changes
    it): code languages, by code text, and links, by their words (``url``: the page's address,
    for the links' targets)."""
    hints = SourceHints()
    if tree is None:
        return hints
    for pre in tree.iter("pre"):
        text = "".join(pre.itertext())
        if (key := code_key(text)) and len(key) >= MIN_CODE_KEY_CHARACTERS:
            hints.code_texts.setdefault(key, text)
            if language := _source_language(pre):
                hints.code_languages.setdefault(key, language)
    hints.links, hints.base = source_links(tree), url
    return hints


def restore_code_blocks(body: etree._Element, hints: SourceHints) -> None:
    """Make code again of the body's quotes that are one of the source's <pre> blocks, with its
    lines. trafilatura reads a <pre> as a quote unless it sees signs of code in it, and a quote's
    whitespace is run together: a highlighted listing (a span per token, as Sphinx and Pygments
    write them) became one long line of "> " in the markdown."""
    if not hints.code_texts:
        return
    for quote in list(body.iter("quote")):
        source = hints.code_texts.get(code_key("".join(quote.itertext())))
        if source is not None:
            tail = quote.tail
            quote.clear()
            quote.tag, quote.text, quote.tail = "code", source, tail


def _source_language(pre: etree._Element) -> str:
    """The language a source <pre> is marked with: on it, on a <code> inside it, or on one of
    its wrappers."""
    candidates: Iterable[etree._Element] = (
        *pre.iter("code"),
        pre,
        *(ancestor for _, ancestor in zip(range(_LANGUAGE_WRAPPER_LEVELS), pre.iterancestors(), strict=False)),
    )
    for element in candidates:
        if language := element_language(element):
            return language
    return ""


# --- links ------------------------------------------------------------------------------------

# A link is recognised in the body by its words and the words around it in the source (as many
# as the body's block has on each side, up to this many): its words alone would link every
# "here" of the text to the first "here" of the page.
CONTEXT_WORDS = 3
LINK_MAX_WORDS = 16  # a longer link is a whole teaser, and the words of its block already say it
_WORD = re.compile(r"\w+")
_UNREAD = frozenset({"script", "style", "noscript", "template", "head", "title"})
# Targets that lead nowhere outside the page: its own anchors, scripts.
_NOWHERE = re.compile(r"^\s*(?:#|javascript:|data:|$)", re.IGNORECASE)


def source_links(tree: etree._Element) -> dict[tuple[str, ...], list[SourceLink]]:
    """The source's links, by their lower-cased words: each with the words around it and its
    href (most are never in the body: only those that are are resolved, by ``_target``)."""
    words: list[str] = []
    opened: list[tuple[etree._Element, int]] = []  # links whose words are being read
    spans: list[tuple[int, int, str]] = []  # (first word, end word, href)
    walk = etree.iterwalk(tree, events=("start", "end"))
    for event, element in walk:
        if event == "start" and isinstance(element.tag, str):
            if element.tag in _UNREAD:
                walk.skip_subtree()
                continue
            if element.tag == "a" and (href := element.get("href")) and not _NOWHERE.match(href):
                opened.append((element, len(words)))
            if element.text:
                words += _WORD.findall(element.text.lower())
        elif event == "end":
            if opened and opened[-1][0] is element:
                start = opened.pop()[1]
                if 0 < len(words) - start <= LINK_MAX_WORDS:
                    spans.append((start, len(words), element.get("href")))
            if element.tail:  # a comment's text is no text, but its tail is
                words += _WORD.findall(element.tail.lower())
    links: dict[tuple[str, ...], list[SourceLink]] = {}
    for start, end, href in spans:
        before, after = words[max(0, start - CONTEXT_WORDS) : start], words[end : end + CONTEXT_WORDS]
        links.setdefault(tuple(words[start:end]), []).append(SourceLink(tuple(before), tuple(after), href))
    return links


def _target(href: str | None, base: str | None) -> str:
    href = (href or "").strip()
    try:
        target = urljoin(base, href) if base else href
    except ValueError:  # a malformed address ("http://[") links nowhere
        return ""
    if base and target.split("#", 1)[0] == base.split("#", 1)[0]:
        return ""  # the page itself
    return target


def add_links(body: etree._Element, hints: SourceHints) -> None:
    """Wrap the body's words that the source has as a link (same words, same words around
    them) in a ``ref`` element, when all such links in the source lead to one target."""
    if not hints.links:
        return
    # the lengths of the source's links by their first word: most words start none
    lengths: dict[str, list[int]] = {}
    for words in hints.links:
        lengths.setdefault(words[0], []).append(len(words))
    for first in lengths:
        lengths[first] = sorted(set(lengths[first]), reverse=True)
    for block in list(body.iter("p", "head", "item", "cell", "quote")):
        if lengths.keys().isdisjoint(_WORD.findall(" ".join(block.itertext()).lower())):
            continue  # no word of the block starts a link of the source: most blocks
        nodes = _text_nodes(block)
        block_words = [word for _, _, node_words in nodes for word, _ in node_words]
        offset = 0
        for owner, is_tail, node_words in nodes:
            matches = _links_in(node_words, block_words, offset, hints, lengths)
            if matches:
                _wrap(owner, is_tail, [(node_words[i][1][0], node_words[j - 1][1][1], t) for i, j, t in matches])
            offset += len(node_words)


_WordSpan = tuple[str, tuple[int, int]]


def _text_nodes(block: etree._Element) -> list[tuple[etree._Element, bool, list[_WordSpan]]]:
    """A block's own text nodes (not those of the blocks nested in it, nor of code or links),
    in order: (element, whether it is that element's tail, its words with their spans)."""
    nodes: list[tuple[etree._Element, bool, list[_WordSpan]]] = []

    def visit(element: etree._Element) -> None:
        if element.text and element.tag not in ("code", "ref"):
            nodes.append((element, False, _spans(element.text)))
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS and child.tag != "code":
                visit(child)
            if child.tail:
                nodes.append((child, True, _spans(child.tail)))

    visit(block)
    return nodes


def _spans(text: str) -> list[_WordSpan]:
    return [(match.group(0).lower(), match.span()) for match in _WORD.finditer(text)]


def _links_in(
    node_words: list[_WordSpan],
    block_words: list[str],
    offset: int,
    hints: SourceHints,
    lengths: dict[str, list[int]],
) -> list[tuple[int, int, str]]:
    """The links in one text node, as (first word, end word, target), leftmost longest first.
    ``lengths``: the lengths of the links starting with each word, longest first."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(node_words):
        for j in (i + length for length in lengths.get(node_words[i][0], ()) if i + length <= len(node_words)):
            candidates = hints.links.get(tuple(word for word, _ in node_words[i:j]))
            if candidates and (target := _agreed_target(candidates, block_words, offset + i, offset + j, hints.base)):
                found.append((i, j, target))
                i = j - 1
                break
        i += 1
    return found


def _agreed_target(candidates: list[SourceLink], block_words: list[str], start: int, end: int, base: str | None) -> str:
    """The target of the source links whose context is the body's, if they agree on one (links
    to nowhere, such as the page itself, are not counted)."""
    before = tuple(block_words[max(0, start - CONTEXT_WORDS) : start])
    after = tuple(block_words[end : end + CONTEXT_WORDS])
    targets = {
        _target(link.href, base)
        for link in candidates
        if link.before[len(link.before) - len(before) :] == before
        and link.after[: len(after)] == after
        and len(link.before) >= len(before)
        and len(link.after) >= len(after)
    }
    targets.discard("")
    return targets.pop() if len(targets) == 1 else ""


def _wrap(owner: etree._Element, is_tail: bool, spans: list[tuple[int, int, str]]) -> None:
    """Split one text node around ``spans`` (start, end, target), each span becoming a ``ref``."""
    text = (owner.tail if is_tail else owner.text) or ""
    refs = []
    for index, (start, end, target) in enumerate(spans):
        ref = etree.Element("ref", target=target)
        ref.text = text[start:end]
        ref.tail = text[end : spans[index + 1][0] if index + 1 < len(spans) else len(text)]
        refs.append(ref)
    if is_tail:
        owner.tail = text[: spans[0][0]]
        for ref in reversed(refs):
            owner.addnext(ref)  # each right after the owner: in order once all are in
    else:
        owner.text = text[: spans[0][0]]
        for position, ref in enumerate(refs):
            owner.insert(position, ref)
