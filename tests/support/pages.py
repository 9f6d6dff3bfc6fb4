"""Pages written for the tests (not copied from the web), small enough to read in a test."""

from __future__ import annotations

import gzip

ARTICLE_PARAGRAPHS = [
    "The city council voted on Tuesday to extend the night bus network to the northern districts, "
    "after two years of petitions from residents who work late shifts at the hospital and the port.",
    "Under the plan, three new lines will run every twenty minutes between midnight and five in the "
    "morning, and the existing line along the river will be extended by four stops.",
    "The transport commissioner said the cost would be covered by the regional budget for the first "
    "year, and that ridership would be reviewed before the service is made permanent.",
    "Opposition members welcomed the decision but asked why the southern districts, where many "
    "cleaning and logistics workers live, were left out of the first phase of the plan.",
    "The new lines are expected to start running in the spring, once the operator has hired and "
    "trained the forty additional drivers that the timetable requires.",
]


def article_html(
    *,
    title: str = "Night buses to reach the northern districts",
    lang: str | None = "en",
    charset: str | None = "utf-8",
    paragraphs: list[str] | None = None,
    canonical: str | None = "https://news.example.org/city/night-buses",
    extra_head: str = "",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in (paragraphs or ARTICLE_PARAGRAPHS))
    lang_attr = f' lang="{lang}"' if lang else ""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html{lang_attr}><head>{meta_charset}<title>{title} | The Example Courier</title>{link}
<meta name="author" content="Ana Ruiz">
<meta property="article:published_time" content="2021-11-25T08:30:00Z">
<meta name="description" content="The council extends the night bus network.">
{extra_head}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article>
<h1>{title}</h1>
<p class="byline">By Ana Ruiz</p>
{body}
</article>
<footer><p>© The Example Courier. All rights reserved.</p></footer>
</body></html>"""


def article_bytes(encoding: str = "utf-8", **kwargs: object) -> bytes:
    return article_html(**kwargs).encode(encoding)  # type: ignore[arg-type]


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)
