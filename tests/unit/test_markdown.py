"""The document's markdown (pagesift.extraction.markdown), page by page: small pages written for
these tests, each with one shape the markdown must keep, run through the whole extraction."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.support.scoring import markdown_words, words

from pagesift.extraction import steps
from pagesift.extraction.steps import Page, extract

PROSE = [
    "The river ferry will run every fifteen minutes from next spring, the transport authority said on Monday.",
    "Crossings were cut to one an hour two years ago, when the older of the two boats was withdrawn for repairs.",
    "A new boat, built at the yard downstream, was launched last month and is being tested on the river now.",
    "Riders who cross every day said the longer waits had pushed many of them back into their cars for the trip.",
]


def page(content: str, *, title: str = "The river ferry", before: int = 2, url: str | None = None) -> Page:
    """An article page with ``content`` after ``before`` paragraphs of prose, and the rest after it."""
    first = "".join(f"<p>{p}</p>" for p in PROSE[:before])
    rest = "".join(f"<p>{p}</p>" for p in PROSE[before:])
    html = f"""<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><article><h1>{title}</h1>{first}
{content}
{rest}</article></main><footer>© The river paper</footer></body></html>"""
    return Page(html.encode(), url=url)


def markdown_of(content: str, **kwargs) -> str:
    return extract(page(content, **kwargs)).markdown


def table_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def test_a_table_with_header_cells_at_the_start_of_each_row_has_one_rule_under_its_header():
    markdown = markdown_of(
        """<table><tr><th>Crossing</th><th>Weekdays</th><th>Weekends</th></tr>
        <tr><th>First boat</th><td>05:30</td><td>07:00</td></tr>
        <tr><th>Last boat</th><td>23:45</td><td>22:30</td></tr></table>"""
    )
    assert table_lines(markdown) == [
        "| Crossing | Weekdays | Weekends |",
        "|---|---|---|",
        "| First boat | 05:30 | 07:00 |",
        "| Last boat | 23:45 | 22:30 |",
    ]


def test_a_cell_spanning_columns_is_padded_so_every_row_has_the_headers_width():
    markdown = markdown_of(
        """<table><tr><th>Boat</th><th>Seats</th><th>Bikes</th></tr>
        <tr><td>Heron</td><td>120</td><td>20</td></tr>
        <tr><td colspan="3">Both boats carry wheelchairs on the lower deck</td></tr></table>"""
    )
    lines = table_lines(markdown)
    assert lines[3] == "| Both boats carry wheelchairs on the lower deck |  |  |"
    assert {line.count("|") for line in lines} == {4}


def test_a_cell_with_line_breaks_or_paragraphs_stays_one_cell_of_one_row():
    markdown = markdown_of(
        """<table><tr><th>Pier</th><th>Address</th></tr>
        <tr><td>North pier</td><td>1 Quay Street<br>Riverside</td></tr>
        <tr><td>South pier</td><td><p>Harbour Road.</p><p>Open all night.</p></td></tr></table>"""
    )
    assert table_lines(markdown)[2:] == [
        "| North pier | 1 Quay Street; Riverside |",
        "| South pier | Harbour Road. Open all night. |",
    ]


def test_a_table_of_data_is_a_table_and_never_one_run_on_line():
    rows = "".join(
        f"<tr><td>{day}</td><td>{n}</td><td>{n * 3}</td></tr>" for n, day in enumerate(["Mon", "Tue", "Wed"])
    )
    markdown = markdown_of(f"<table>{rows}</table>")
    assert table_lines(markdown) == [
        "| Mon | 0 | 0 |",
        "|---|---|---|",
        "| Tue | 1 | 3 |",
        "| Wed | 2 | 6 |",
    ]


def test_code_keeps_its_blank_lines_and_the_language_its_wrapper_names():
    markdown = markdown_of(
        """<p>The timetable service is a small program that reads the schedule at start-up:</p>
<div class="highlight-rust notranslate"><div class="highlight"><pre><span></span><span class="k">fn</span> main() {
    let boats = 2;

    println!("{}", boats);
}</pre></div></div>"""
    )
    assert '```rust\nfn main() {\n    let boats = 2;\n\n    println!("{}", boats);\n}\n```' in markdown


def test_a_listing_highlighted_token_by_token_stays_code_with_its_lines():
    # Pygments and Sphinx wrap every token in a span: trafilatura reads such a <pre> as a quote
    spans = (
        '<span class="k">def</span> <span class="nf">crossings</span><span class="p">(</span>'
        '<span class="n">boats</span><span class="p">):</span>\n'
        '    <span class="c1"># one crossing every fifteen minutes</span>\n'
        '    <span class="k">return</span> <span class="n">boats</span> <span class="o">*</span> '
        '<span class="mi">4</span>\n'
    )
    # ...inside the definition of a function of an API reference (a <dd>), it became a quote
    markdown = markdown_of(
        '<dl class="py function"><dt class="sig">crossings(boats)</dt><dd>'
        "<p>The number of crossings an hour for the boats in service.</p><p>Roughly equivalent to:</p>"
        f'<div class="highlight-python3 notranslate"><div class="highlight"><pre><span></span>{spans}</pre></div></div>'
        "</dd></dl>"
    )
    expected = ["```python3", "def crossings(boats):", "    # one crossing every fifteen minutes", "    return boats * 4", "```"]
    lines = [line.removeprefix("  ") for line in markdown.splitlines()]  # the definition's indentation
    start = lines.index("```python3")
    assert lines[start : start + len(expected)] == expected
    assert "> def" not in markdown


@pytest.mark.parametrize(
    "block",
    [
        '<pre><code class="language-python">',
        '<pre class="lang-python"><code>',
        '<pre data-lang="python"><code>',
    ],
)
def test_the_language_of_a_code_block_is_read_from_its_classes(block):
    closing = "</code></pre>"
    markdown = markdown_of(
        f"<p>Read the schedule with these two lines of the program:</p>{block}import ferry\n\nferry.schedule(){closing}"
    )
    assert "```python\nimport ferry\n\nferry.schedule()\n```" in markdown


def test_headings_lose_their_anchor_glyphs_in_the_markdown_and_in_the_text():
    document = extract(
        page(
            """<h2 id="fares">Fares<a class="headerlink" href="#fares" title="Link to this heading">¶</a></h2>
<p>A single crossing costs two euros, and a monthly pass costs forty euros for all the crossings.</p>
<h2 id="c">Tickets in C# <a class="anchor" href="#c">#</a></h2>
<p>The ticket machines run a program written in C#, which the city's own developers maintain.</p>"""
        )
    )
    assert "## Fares\n" in document.markdown and "## Tickets in C#\n" in document.markdown
    assert "¶" not in document.text and "¶" not in document.markdown
    assert "\nFares\n" in document.text and "\nTickets in C#\n" in document.text


def test_nested_lists_are_indented_under_their_item(monkeypatch):
    # trafilatura's body keeps a nested list (readability-lxml's flattens it): without the
    # second opinion, trafilatura's body is the one rendered
    monkeypatch.setattr(steps, "second_opinion", lambda *args, **kwargs: None)
    markdown = markdown_of(
        """<p>The new timetable changes three things for the riders who use the ferry every day:</p>
<ul>
  <li>More crossings
    <ul>
      <li>every fifteen minutes at peak hours</li>
      <li>every half hour at night</li>
    </ul>
  </li>
  <li>A new boat</li>
</ul>
<ol><li>First step</li><li>Second step</li></ol>"""
    )
    assert (
        "- More crossings\n  - every fifteen minutes at peak hours\n  - every half hour at night\n- A new boat"
        in markdown
    )
    assert "1. First step\n2. Second step" in markdown


def test_the_indentation_of_the_source_never_reaches_the_markdown():
    markdown = markdown_of(
        """<ul>
            <li>
                        Passes are sold at both piers
            </li>
            <li>
                        Children under twelve ride free
            </li>
        </ul>
        <p>
                The authority expects forty thousand crossings a month once the new boat is in service.
        </p>"""
    )
    assert "- Passes are sold at both piers\n- Children under twelve ride free" in markdown
    assert "\nThe authority expects forty thousand crossings a month" in markdown
    assert not [line for line in markdown.splitlines() if line.startswith("    ")]


def test_links_of_the_text_come_from_the_source_with_absolute_targets():
    markdown = markdown_of(
        """<p>The full timetable is on the <a href="/ferry/timetable">authority's website</a> from today,
and the <a href="https://example.org/boat">boat's builder</a> has published its plans.</p>
<p>Questions go to the <a href="#contact">contact desk</a> at the north pier.</p>""",
        url="https://news.example.com/2026/ferry.html",
    )
    assert "[authority's website](https://news.example.com/ferry/timetable)" in markdown
    assert "[boat's builder](https://example.org/boat)" in markdown
    assert "the contact desk at the north pier" in markdown  # a link to the page itself is none


def test_a_link_is_kept_only_where_its_words_stand_in_the_same_context():
    markdown = markdown_of(
        """<p>Read the <a href="https://example.org/report">report here</a> before the meeting on Friday.</p>
<p>Riders can also read the report here at the library, printed, for the whole week.</p>"""
    )
    assert "Read the [report here](https://example.org/report) before" in markdown
    assert "also read the report here at the library" in markdown


def test_special_characters_of_the_text_are_escaped_and_a_line_never_starts_a_block():
    markdown = markdown_of(
        "<p>1. Boats run *every* day; the fare_table file and [brackets] stay text.</p>"
        "<p># of crossings: 96 a day, against 48 before.</p>"
    )
    assert "1\\. Boats run \\*every\\* day; the fare_table file and \\[brackets\\] stay text." in markdown
    assert "\\# of crossings: 96 a day" in markdown


def test_the_markdown_holds_the_words_of_the_text_and_no_others():
    document = extract(
        page(
            """<h2>Fares¶</h2><table><tr><th>Ticket</th><th>Price</th></tr><tr><td>Single</td><td>2 €</td></tr></table>
<ul><li>One<ul><li>Two</li></ul></li></ul><blockquote><p>It is about time, said a rider.</p></blockquote>
<pre>ferry --timetable

--night</pre>"""
        )
    )
    tagged = Counter(word.split(":", 1)[1] for word in markdown_words(document.markdown))
    assert tagged == Counter(words(document.text))
