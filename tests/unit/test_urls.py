"""Only public http(s) addresses reach a document's url, image and hostname."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pagesift.extraction.urls import hostname, public_url


@pytest.mark.parametrize(
    "value",
    [
        "https://news.example.org/city/night-buses",
        "http://news.example.org:8080/a b",  # a space inside a path is the crawler's business
        "https://www.example.co.uk/2021/11/25/story.html?id=1#top",
        "https://例え.jp/記事",
        "https://8.8.8.8/page",
        "https://[2606:4700:4700::1111]/page",
    ],
)
def test_public_web_addresses_are_kept(value):
    if " " in value:
        assert public_url(value) is None  # whitespace: no address a crawler records
    else:
        assert public_url(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://files.example.org/a",
        "//news.example.org/protocol-relative",
        "/relative/path",
        "news.example.org/no-scheme",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://127.0.0.1:8000/admin",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.5/",
        "http://192.168.1.1/router",
        "http://172.16.0.1/",
        "http://0.0.0.0/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://localhost/",
        "http://metadata/computeMetadata/v1/",
        "http://printer.local/",
        "http://api.internal/",
        "http://user:secret@news.example.org/",
        "http://news.example.org:99999/",
        "https://news.example.org/\nSet-Cookie: x",
        "https://news.example.org/" + "a" * 3000,
        "",
        None,
    ],
)
def test_anything_else_is_none(value):
    assert public_url(value) is None
    assert hostname(value) is None


def test_a_relative_image_is_resolved_against_a_public_page_only():
    assert public_url("/img/a.jpg", base="https://news.example.org/city/x") == "https://news.example.org/img/a.jpg"
    assert public_url("img/a.jpg", base="javascript:alert(1)") is None
    assert public_url("//127.0.0.1/a.jpg", base="https://news.example.org/") is None
    assert public_url("javascript:alert(1)", base="https://news.example.org/") is None


def test_hostname_drops_www_and_follows_the_kept_url_only():
    assert hostname("https://www.example.org/a") == "example.org"
    assert hostname("https://WWW.Example.org/a") == "example.org"
    assert hostname("http://169.254.169.254/") is None


@given(st.text(max_size=200))
def test_any_text_gives_none_or_a_public_http_url(value):
    kept = public_url(value)
    assert kept is None or (kept.lower().startswith(("http://", "https://")) and hostname(kept))
