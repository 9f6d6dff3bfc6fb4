import pytest

from pagesift.config import ConfigurationError, Settings

BASE = {"DOCUMENTS_BUCKET": "docs", "EVENT_BUS_NAME": "bus", "STATE_TABLE": "state"}


def test_defaults():
    settings = Settings.from_environ(BASE)
    assert settings.documents_prefix == "documents/"
    assert settings.extraction.limits.max_input_bytes == 20 * 1024 * 1024
    assert settings.extraction.budget_seconds == 10


@pytest.mark.parametrize("missing", sorted(BASE))
def test_missing_settings_are_named(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigurationError, match=missing):
        Settings.from_environ(env)


def test_refuses_to_start_when_documents_would_land_in_the_input_bucket():
    with pytest.raises(ConfigurationError, match="refusing to start"):
        Settings.from_environ({**BASE, "INPUT_BUCKET": "docs"})


@pytest.mark.parametrize(("name", "value"), [("MAX_INPUT_BYTES", "lots"), ("MAX_INPUT_BYTES", "0"), ("EXTRACTION_BUDGET_SECONDS", "-1"), ("EXTRACTION_BUDGET_SECONDS", "soon")])
def test_bad_numbers_are_refused(name, value):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_environ({**BASE, name: value})
