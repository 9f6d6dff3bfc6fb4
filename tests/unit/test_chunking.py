"""A document's markdown cut into chunks along its headings (pagesift_index.chunking)."""

from __future__ import annotations

from pagesift_index.chunking import chunk_markdown, word_count

DOC = "0" * 32


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n) + "."


def test_each_chunk_carries_the_headings_above_it() -> None:
    markdown = "\n\n".join(
        [
            "Lead paragraph before any heading.",
            "# Guide",
            "Intro of the guide.",
            "## Install",
            "Run the installer.",
            "### On Linux",
            "Use the package.",
            "## Use",
            "Call it.",
        ]
    )
    chunks = chunk_markdown(DOC, markdown, min_words=0)
    assert [(c.heading_path, c.text) for c in chunks] == [
        ((), "Lead paragraph before any heading."),
        (("Guide",), "Intro of the guide."),
        (("Guide", "Install"), "Run the installer."),
        (("Guide", "Install", "On Linux"), "Use the package."),
        (("Guide", "Use"), "Call it."),
    ]
    assert [c.position for c in chunks] == [0, 1, 2, 3, 4]


def test_paragraphs_are_packed_up_to_the_target_and_never_cut() -> None:
    markdown = "\n\n".join(words(40, f"p{i}") for i in range(10))
    chunks = chunk_markdown(DOC, markdown, target_words=100)
    assert [c.words for c in chunks] == [80, 80, 80, 80, 80]  # two paragraphs of 40 words each
    assert "\n\n".join(c.text for c in chunks) == markdown


def test_a_paragraph_longer_than_the_hard_max_is_cut_between_sentences() -> None:
    sentences = [words(30, f"s{i}") for i in range(10)]  # 310 words in one paragraph
    chunks = chunk_markdown(DOC, " ".join(sentences), target_words=100, max_words=200)
    assert len(chunks) > 1
    assert all(c.words <= 100 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)  # cut after a sentence, never inside one
    assert " ".join(c.text for c in chunks) == " ".join(sentences)


def test_a_sentence_longer_than_the_hard_max_is_cut_between_words() -> None:
    chunks = chunk_markdown(DOC, words(500), target_words=100, max_words=200)
    assert sum(c.words for c in chunks) == 500 and max(c.words for c in chunks) <= 200


def test_code_blocks_and_tables_are_never_cut_nor_read_as_headings() -> None:
    code = "```python\n# not a heading\n\n" + "\n".join(f"x{i} = {i}" for i in range(400)) + "\n```"
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | {i * 2} |" for i in range(300))
    markdown = f"## Code\n\nIntro.\n\n{code}\n\n{table}\n\nAfter."
    chunks = chunk_markdown(DOC, markdown, target_words=50, max_words=100)
    assert any(c.text == code for c in chunks)
    assert any(c.text == table for c in chunks)
    assert all(c.heading_path == ("Code",) for c in chunks)


def test_a_small_section_is_merged_with_the_sibling_after_it_and_keeps_its_heading_line() -> None:
    markdown = "## One\n\nShort.\n\n## Two\n\nAlso short.\n\n### Deeper\n\nA child.\n\n# Other part\n\nElsewhere."
    chunks = chunk_markdown(DOC, markdown, min_words=10)
    assert [(c.heading_path, c.text) for c in chunks] == [
        (("One",), "Short.\n\n## Two\n\nAlso short."),
        (("Two", "Deeper"), "A child."),  # a child is not a sibling: never merged into its parent
        (("Other part",), "Elsewhere."),
    ]


def test_the_same_document_gives_the_same_ids_and_an_edit_changes_only_what_it_touches() -> None:
    sections = [f"## Part {i}\n\n{words(60, f'w{i}')}" for i in range(4)]
    before = chunk_markdown(DOC, "\n\n".join(sections))
    assert [c.id for c in before] == [c.id for c in chunk_markdown(DOC, "\n\n".join(sections))]
    assert len({c.id for c in before}) == len(before) == 4
    sections[2] = f"## Part 2\n\n{words(61, 'edited')}"
    after = chunk_markdown(DOC, "\n\n".join(sections))
    assert [a.id == b.id for a, b in zip(before, after, strict=True)] == [True, True, False, True]
    assert chunk_markdown("1" * 32, "\n\n".join(sections))[0].id != after[0].id  # ids are the document's


def test_empty_markdown_gives_no_chunks() -> None:
    assert chunk_markdown(DOC, "") == []
    assert chunk_markdown(DOC, None) == []
    assert chunk_markdown(DOC, "\n\n   \n") == []
    assert chunk_markdown(DOC, "# Only a heading") == []


def test_unicode_text_and_headings_come_through_whole() -> None:
    markdown = "\n\n".join(
        [
            "## Économie",
            "Le prix du café a augmenté.",
            "## 経済",
            "東京の株価は上がった。",
            "## اقتصاد",
            "ارتفعت الأسعار.",
        ]
    )
    chunks = chunk_markdown(DOC, markdown, min_words=0)
    assert [(c.heading_path, c.text) for c in chunks] == [
        (("Économie",), "Le prix du café a augmenté."),
        (("経済",), "東京の株価は上がった。"),
        (("اقتصاد",), "ارتفعت الأسعار."),
    ]
    assert word_count("東京の株価は上がった。") == 1  # no spaces: one "word" (documented)
