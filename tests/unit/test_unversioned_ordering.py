"""An unversioned input bucket (an existing crawl bucket may be one): its events carry no version
id, so the S3 sequencer orders them and the ETag tells whether the object is still the one an
event names. Out-of-order and duplicate deliveries still give the document of the last upload."""

from __future__ import annotations

import itertools

import pytest

from pagesift.delivery.outcomes import Status
from pagesift.delivery.triggers import ChangeKind, ObjectChange
from pagesift.extraction.options import ExtractionOptions
from tests.support.pages import article_bytes
from tests.unit.test_pipeline_rules import BUCKET, DOC, KEY, World


@pytest.fixture
def world() -> World:
    return World(versioned=False, options=ExtractionOptions(budget_seconds=10.0))


def uploads(world: World, *titles: str) -> list[ObjectChange]:
    """Each title uploaded in turn over the same key, sequencers 01, 02…: their events."""
    return [world.upload(article_bytes(title=title), f"{number:02X}") for number, title in enumerate(titles, start=1)]


def deletion(world: World, sequencer: str) -> ObjectChange:
    """The object deleted: an unversioned bucket's event names no version."""
    world.pages.delete(BUCKET, KEY)
    return ObjectChange(BUCKET, KEY, ChangeKind.DELETED, sequencer=sequencer)


def title(world: World) -> str:
    return world.documents.documents[DOC].title.split()[0]


def test_the_events_of_an_unversioned_bucket_name_no_version(world):
    [change] = uploads(world, "Alpha")
    assert change.version_id is None and change.etag and change.sequencer == "01"


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=str)
def test_three_uploads_delivered_in_any_order_give_the_last_one(order):
    world = World(versioned=False)
    changes = uploads(world, "Alpha", "Beta", "Gamma")
    for index in order:
        world.apply(changes[index])
    assert title(world) == "Gamma"
    assert world.publisher.detail_types() == ["Document Extracted"]  # the older pages step aside
    assert world.item()["sequencer"].endswith("03")


def test_a_late_event_for_an_older_upload_is_stale_by_its_sequencer(world):
    alpha, beta = uploads(world, "Alpha", "Beta")
    assert world.apply(beta).status is Status.EXTRACTED
    outcome = world.apply(alpha)
    assert outcome.status is Status.SKIPPED and outcome.reason.startswith("stale")
    assert title(world) == "Beta"


def test_an_early_event_for_a_replaced_upload_steps_aside_by_its_etag(world):
    alpha, beta = uploads(world, "Alpha", "Beta")  # Beta is up before Alpha's event is read
    outcome = world.apply(alpha)
    assert outcome.status is Status.SKIPPED and "ETag" in outcome.reason
    assert world.apply(beta).status is Status.EXTRACTED and title(world) == "Beta"


def test_every_change_delivered_twice_gives_one_document_and_one_event(world):
    alpha, beta = uploads(world, "Alpha", "Beta")
    for change in (beta, beta, alpha, beta, alpha):
        world.apply(change)
    assert title(world) == "Beta"
    assert (world.documents.writes, world.publisher.detail_types()) == (1, ["Document Extracted"])


def test_a_duplicate_is_answered_as_one(world):
    [alpha] = uploads(world, "Alpha")
    world.apply(alpha)
    outcome = world.apply(alpha)
    assert outcome.status is Status.SKIPPED and outcome.reason.startswith("duplicate")


def test_a_deletion_delivered_before_the_upload_it_follows_leaves_no_document(world):
    [alpha] = uploads(world, "Alpha")
    gone = deletion(world, "02")
    world.apply(gone)
    assert world.apply(alpha).status is Status.SKIPPED
    assert DOC not in world.documents.documents and world.publisher.events == []


def test_a_late_deletion_never_removes_the_page_uploaded_after_it(world):
    [alpha] = uploads(world, "Alpha")
    gone = deletion(world, "02")
    beta = world.upload(article_bytes(title="Beta"), "03")
    for change in (beta, gone, alpha, gone):
        world.apply(change)
    assert title(world) == "Beta"
    assert world.publisher.detail_types() == ["Document Extracted"]


def test_the_same_bytes_uploaded_again_in_any_order_give_their_document(world):
    # Alpha, Beta, then Alpha's bytes again: the first and last uploads share their ETag.
    changes = uploads(world, "Alpha", "Beta", "Alpha")
    for change in (changes[0], changes[2], changes[1], changes[0]):
        world.apply(change)
    assert title(world) == "Alpha"
