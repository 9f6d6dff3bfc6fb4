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


@pytest.mark.parametrize(
    ("title", "headings", "expected"),
    [
        ("useState – React", ["useState"], "useState"),
        ("Create and manage resources | Terraform | HashiCorp Developer", ["Create and manage resources"], "Create and manage resources"),
        # the longest leading part that is the heading
        ("Nintendo Switch – OLED Model - Nintendo - Official Site", ["Nintendo Switch – OLED Model"], "Nintendo Switch – OLED Model"),
        ("Shelving Furniture - Shelves for Storage", ["Shelving furniture"], "Shelving Furniture"),
        # a heading that is the site's logo never makes the site's name the title
        ("Night buses return - The Daily Courier", ["The Daily Courier"], "Night buses return - The Daily Courier"),
        # no heading before a separator: the site's name rules apply as before
        ("Night buses return | Example News", ["Something else"], "Night buses return | Example News"),
        ("Night buses return", ["Night buses return"], "Night buses return"),
    ],
)
def test_the_pages_own_heading_before_a_separator_is_its_title(title, headings, expected):
    assert clean_title(title, headings=headings) == expected
