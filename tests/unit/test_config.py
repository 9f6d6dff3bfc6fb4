import logging

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



class Warnings(logging.Handler):
    """The warnings of config's own logger, caught there: the Powertools logger of a test run
    before may have stopped "pagesift" propagating to the root logger, where caplog listens."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> "Warnings":
        logging.getLogger("pagesift.config").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("pagesift.config").removeHandler(self)


@pytest.mark.parametrize("value", ["fast", "accurate", "turbo", ""])
def test_an_extraction_profile_left_from_an_older_template_is_ignored_with_one_warning(value):
    # A function updated in place may still carry the variable: it starts, extracts the one way
    # every other function does, and says once that the setting does nothing.
    with Warnings() as caught:
        settings = Settings.from_environ({**BASE, "EXTRACTION_PROFILE": value})
    assert settings == Settings.from_environ(BASE)
    assert len(caught.messages) == 1
    assert caught.messages[0].startswith("EXTRACTION_PROFILE=") and "ignored" in caught.messages[0]


def test_no_warning_without_an_extraction_profile():
    with Warnings() as caught:
        Settings.from_environ(BASE)
    assert caught.messages == []
