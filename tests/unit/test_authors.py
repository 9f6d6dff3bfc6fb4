"""Author names without the byline around them, in the languages we serve."""

import pytest

from pagesift.extraction.metadata.authors import clean_author


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Por Lucía Fernández · Publicado el", "Lucía Fernández"),
        ("Par Claire Martin", "Claire Martin"),
        ("بقلم سليم الحداد", "سليم الحداد"),
        ("الرباط - نادية العلوي", "نادية العلوي"),  # dateline city, then the name
        ("John Smith - Reuters", "John Smith"),
        ("Marcus Bell; Staff Writer", "Marcus Bell"),
        ("By Jane Doe, Published 12 March 2021", "Jane Doe"),
        ("Detroit News wire services Published", "Detroit News wire services"),
        ("Jane Doe; John Roe", "Jane Doe; John Roe"),
        ("Jane Doe; Jane Doe", "Jane Doe"),
        ("Jean-Pierre Dupont", "Jean-Pierre Dupont"),
        ("Di Maio", "Di Maio"),  # a particle that begins a surname is not "by"
        ("Reuters", "Reuters"),
        ("12 March 2021", None),
        ("Aug", None),  # a forum byline's "Aug 12", the day gone
        ("Yesterday", None),
        ("kate_w; Sept.", "kate_w"),
        ("Redacción", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_author(author, expected):
    assert clean_author(author) == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Publicado por Lucía Fernández", "Lucía Fernández"),
        ("Publié par Claire Martin", "Claire Martin"),
        ("Mis à jour par Claire Martin", "Claire Martin"),
        ("نشر بواسطة محمد علي", "محمد علي"),
    ],
)
def test_published_by_forms_keep_the_name(author, expected):
    assert clean_author(author) == expected
