import pytest

from pagesift.extraction.metadata.titles import clean_title


@pytest.mark.parametrize(
    ("title", "sitename", "hostname", "expected"),
    [
        ("A Fantástica Loja dos Materiais Educativos - Como Educar Seus Filhos", "Como Educar Seus Filhos", "comoeducarseusfilhos.com.br", "A Fantástica Loja dos Materiais Educativos"),
        ("Le port de Tanger bat un record | Agrégateur Info", None, "agregateur-info.ma", "Le port de Tanger bat un record"),
        ("Le Monde - Le port de Tanger bat un record", "Le Monde", "lemonde.fr", "Le port de Tanger bat un record"),
        ("El puerto bate un récord | EL PAÍS", "EL PAÍS", "elpais.com", "El puerto bate un récord"),
        ("ميناء طنجة يحطم رقما قياسيا - هسبريس", "هسبريس", "hespress.com", "ميناء طنجة يحطم رقما قياسيا"),
        ("Cells That ‘Taste’ Danger Set Off Immune Responses | Quanta Magazine", "Quanta Magazine", "quantamagazine.org", "Cells That ‘Taste’ Danger Set Off Immune Responses"),
        # Not a site name: kept whole.
        ("Brexit - what happens next", None, "bbc.co.uk", "Brexit - what happens next"),
        ("Hibernating astronauts would need smaller spacecraft", "Phys.org", "phys.org", "Hibernating astronauts would need smaller spacecraft"),
        ("Bilan - Le Monde", "Le Monde", "lemonde.fr", "Bilan - Le Monde"),  # too little left: keep
        (None, None, None, None),
    ],
)
def test_site_names_are_removed_from_titles(title, sitename, hostname, expected):
    assert clean_title(title, sitename=sitename, hostname=hostname) == expected


def test_a_title_read_from_a_heading_loses_its_anchor_glyph():
    assert clean_title("Configuring the scheduler¶") == "Configuring the scheduler"
    assert clean_title("Installation 🔗") == "Installation"
    assert clean_title("Section ¶ 12 of the lease") == "Section ¶ 12 of the lease"
