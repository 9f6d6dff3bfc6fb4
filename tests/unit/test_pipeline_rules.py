"""The pipeline's rules on in-memory fakes (tests/support/fakes.py): ordering, leases, unchanged
content, the dirty mark, failures, deletions and time. No AWS, no moto: the same rules run
on the real adapters in test_exactly_once.py and test_handler.py."""

from __future__ import annotations

import pytest

from pagesift.contracts.invocation import Invocation, OutOfTime
from pagesift.extraction.limits import Limits
from pagesift.extraction.options import DEFAULT_OPTIONS, ExtractionOptions
from pagesift.delivery.ordering import SEQUENCER_WIDTH, sequencer_key
from pagesift.delivery.outcomes import EventsNotPublished, Status
from pagesift.delivery.pipeline import Pipeline
from pagesift.delivery.ports import ObjectBusy
from pagesift.delivery.triggers import ChangeKind, ObjectChange
from tests.support.fakes import InMemoryDocuments, InMemoryPages, InMemoryState, RecordingPublisher, TransientError
from tests.support.pages import ARTICLE_PARAGRAPHS, article_bytes

BUCKET, KEY = "input-bucket", "deep/pre fix/ünï+code.html"
DOC = f"documents/{KEY}.json"


class World:
    def __init__(self, *, versioned: bool = True, options: ExtractionOptions = DEFAULT_OPTIONS) -> None:
        self.now = 1_000.0
        self.pages = InMemoryPages(limits=options.limits, versioned=versioned)
        self.documents = InMemoryDocuments()
        self.publisher = RecordingPublisher()
        self.state = InMemoryState(clock=lambda: self.now)
        self.pipeline = Pipeline(pages=self.pages, documents=self.documents, publisher=self.publisher, state=self.state, options=options)

    def upload(self, data: bytes, sequencer: str, key: str = KEY) -> ObjectChange:
        stored = self.pages.put(BUCKET, key, data)
        return ObjectChange(BUCKET, key, ChangeKind.CREATED, version_id=stored.version_id, etag=stored.etag, sequencer=sequencer)

    def remove(self, sequencer: str, key: str = KEY, *, version_id: str | None = None) -> ObjectChange:
        """Delete the object (a delete marker), or with ``version_id`` that version for good."""
        marker = self.pages.delete(BUCKET, key, version_id)
        return ObjectChange(BUCKET, key, ChangeKind.DELETED, version_id=version_id or marker, sequencer=sequencer)

    def apply(self, change: ObjectChange, invocation: Invocation | None = None):
        return self.pipeline.process(change, invocation)

    def item(self, key: str = KEY) -> dict:
        return self.state.state(BUCKET, key)


@pytest.fixture
def world() -> World:
    return World(options=ExtractionOptions(budget_seconds=10.0))


def test_a_new_page_gives_its_document_one_event_and_its_recorded_state(world):
    outcome = world.apply(world.upload(article_bytes(), "0A"))
    assert outcome.status is Status.EXTRACTED and outcome.document_key == DOC
    assert world.publisher.detail_types() == ["Document Extracted"]
    detail = world.publisher.events[0].detail
    assert detail["changed"] is True and detail["document"] == {"bucket": "documents-bucket", "key": DOC, "id": outcome.document_id}
    item = world.item()
    assert item["sequencer"] == sequencer_key("0A") and len(item["sequencer"]) == SEQUENCER_WIDTH
    assert item["text_sha256"] == world.documents.documents[DOC].fingerprints.sha256
    assert item["dirty"] is False and "lease_owner" not in item


def test_the_same_change_again_is_a_duplicate(world):
    change = world.upload(article_bytes(), "0A")
    world.apply(change)
    outcome = world.apply(change)
    assert outcome.status is Status.SKIPPED and outcome.reason.startswith("duplicate")
    assert (world.documents.writes, len(world.publisher.events)) == (1, 1)


def test_an_older_sequencer_is_stale_whatever_its_length(world):
    older = world.upload(article_bytes(title="First"), "9")  # "9" < "0A" once padded, as AWS says
    newer = world.upload(article_bytes(title="Second"), "0A")
    assert world.apply(newer).status is Status.EXTRACTED
    outcome = world.apply(older)
    assert outcome.status is Status.SKIPPED and outcome.reason.startswith("stale")
    assert world.documents.documents[DOC].title.startswith("Second")


FORGED = "F" * 32  # above any sequencer S3 will write (the trigger refuses longer ones)


def test_a_forged_sequencer_cannot_freeze_a_key(world):
    # An event with a sequencer above any real one is applied and recorded (S3 confirms the
    # version it names); every later real change would then be stale on the sequencer's word.
    # S3 contradicts that word: the real change is applied and the state repaired.
    first = world.upload(article_bytes(title="First"), "0A")
    world.apply(ObjectChange(BUCKET, KEY, ChangeKind.CREATED, version_id=first.version_id, etag=first.etag, sequencer=FORGED))
    second = world.upload(article_bytes(title="Second", paragraphs=ARTICLE_PARAGRAPHS[::-1]), "0B")
    outcome = world.apply(second)
    assert outcome.status is Status.EXTRACTED and world.documents.documents[DOC].title.startswith("Second")
    assert world.item()["sequencer"] == sequencer_key("0B")  # the forged one is gone
    # and ordering works again from there: the real later change applies, a real older one is stale
    third = world.upload(article_bytes(title="Third"), "0C")
    assert world.apply(third).status is Status.EXTRACTED
    assert world.apply(second).status is Status.SKIPPED


def test_a_forged_sequencer_cannot_keep_a_deleted_page_alive(world):
    change = world.upload(article_bytes(), "0A")
    world.apply(ObjectChange(BUCKET, KEY, ChangeKind.CREATED, version_id=change.version_id, etag=change.etag, sequencer=FORGED))
    outcome = world.apply(world.remove("0B"))
    assert outcome.status is Status.DELETED and DOC not in world.documents.documents
    assert world.item()["deleted"] is True


def test_a_real_stale_event_is_still_stale_when_s3_agrees(world):
    # the object's current version is the one the state describes: S3 confirms the verdict
    older = world.upload(article_bytes(title="First"), "0A")
    newer = world.upload(article_bytes(title="Second"), "0B")
    world.apply(newer)
    assert world.apply(older).status is Status.SKIPPED
    deleted_late = world.remove("09", version_id=None)  # a delete marker whose event is older
    world.pages.delete(BUCKET, KEY, deleted_late.version_id)  # ... and the marker came off again
    assert world.apply(deleted_late).status is Status.SKIPPED
    assert world.documents.documents[DOC].title.startswith("Second")


def test_a_late_event_for_a_version_no_longer_current_steps_aside(world):
    older = world.upload(article_bytes(title="First"), "01")
    world.upload(article_bytes(title="Second"), "02")  # its own event is still on the way
    outcome = world.apply(older)
    assert outcome.status is Status.SKIPPED and "no longer current" in outcome.reason
    assert world.publisher.events == [] and world.item()["dirty"] is False  # the mark went back


def test_an_event_for_an_object_deleted_since_steps_aside(world):
    change = world.upload(article_bytes(), "01")
    world.pages.delete(BUCKET, KEY)
    assert "its deletion event applies" in world.apply(change).reason


def test_in_an_unversioned_bucket_the_etag_tells_a_late_event():
    world = World(versioned=False)
    older = world.upload(article_bytes(title="First"), "01")
    world.upload(article_bytes(title="Second"), "02")
    assert older.version_id is None
    outcome = world.apply(older)
    assert outcome.status is Status.SKIPPED and "ETag" in outcome.reason


def test_the_same_document_again_rewrites_nothing(world):
    world.apply(world.upload(article_bytes(), "01"))
    outcome = world.apply(world.upload(article_bytes(), "02"))
    assert outcome.status is Status.UNCHANGED
    assert (world.documents.writes, len(world.publisher.events)) == (1, 1)
    assert world.item()["sequencer"] == sequencer_key("02")


def test_other_metadata_with_the_same_text_is_rewritten_with_changed_false(world):
    world.apply(world.upload(article_bytes(title="Harbour figures"), "01"))
    world.apply(world.upload(article_bytes(title="Harbour figures, updated"), "02"))
    assert [e.detail["changed"] for e in world.publisher.events] == [True, False]


def test_new_text_is_changed_true(world):
    world.apply(world.upload(article_bytes(), "01"))
    edited = [*ARTICLE_PARAGRAPHS[:-1], "A correction was added to this article on Wednesday morning after readers wrote in."]
    world.apply(world.upload(article_bytes(paragraphs=edited), "02"))
    assert [e.detail["changed"] for e in world.publisher.events] == [True, True]


def test_an_object_under_another_lease_is_busy_until_the_lease_expires(world):
    change = world.upload(article_bytes(), "01")
    world.state.acquire(BUCKET, KEY, "someone-else", 60, "another-change")
    with pytest.raises(ObjectBusy):
        world.apply(change)
    assert world.documents.writes == 0
    world.now += 61  # the other invocation died: its lease runs out
    assert world.apply(change).status is Status.EXTRACTED


def test_a_document_whose_event_failed_gets_exactly_one_event_on_the_retry(world):
    change = world.upload(article_bytes(), "01")
    world.publisher.failing = 1
    with pytest.raises(EventsNotPublished):
        world.apply(change)
    assert DOC in world.documents.documents and world.publisher.events == []
    assert world.item()["dirty"] is True and "lease_owner" not in world.item()
    assert world.apply(change).status is Status.EXTRACTED
    assert world.apply(change).status is Status.SKIPPED
    assert world.publisher.detail_types() == ["Document Extracted"]
    assert world.publisher.events[0].detail["changed"] is True


def test_a_document_written_but_not_recorded_is_never_taken_for_unchanged(world):
    world.apply(world.upload(article_bytes(title="Alpha"), "01"))
    beta = world.upload(article_bytes(title="Beta"), "02")
    world.publisher.failing = 1
    with pytest.raises(EventsNotPublished):
        world.apply(beta)  # Beta is in the bucket, unannounced and unrecorded
    outcome = world.apply(world.upload(article_bytes(title="Alpha"), "03"))  # Alpha's bytes again
    assert outcome.status is Status.EXTRACTED  # the recorded hashes are Alpha's, but the bucket holds Beta
    assert world.documents.documents[DOC].title.startswith("Alpha")
    assert world.item()["dirty"] is False


def test_a_state_write_that_fails_leaves_the_object_dirty(world):
    change = world.upload(article_bytes(), "01")
    world.state.failing_commits = 1
    with pytest.raises(TransientError):
        world.apply(change)
    assert world.item()["dirty"] is True and world.item().get("sequencer") is None


def test_an_event_repeated_by_a_retry_carries_the_same_change_id(world):
    # The window that remains: the event went out, then the state write failed (or the runtime
    # died there). The retry emits the event again, with the same change_id to dedupe on.
    change = world.upload(article_bytes(), "01")
    world.state.failing_commits = 1
    with pytest.raises(TransientError):
        world.apply(change)
    assert world.apply(change).status is Status.EXTRACTED
    first, again = world.publisher.events
    assert first.detail["change_id"] == again.detail["change_id"] and len(first.detail["change_id"]) == 32
    # any other change of the object has another id: a new version, its deletion, a failure
    world.apply(world.upload(article_bytes(title="Second", paragraphs=ARTICLE_PARAGRAPHS[::-1]), "02"))
    world.apply(world.upload(b"\x89PNG\r\n\x1a\n" + bytes(200), "03"))
    world.apply(world.remove("04"))
    ids = [event.detail["change_id"] for event in world.publisher.events]
    assert world.publisher.detail_types()[2:] == ["Document Extracted", "Document Extraction Failed", "Document Deleted"]
    assert len(set(ids)) == len(ids) - 1


def test_a_page_that_cannot_be_a_document_is_one_failure_event_and_keeps_the_last_document(world):
    world.apply(world.upload(article_bytes(title="Good"), "01"))
    outcome = world.apply(world.upload(b"\x89PNG\r\n\x1a\n" + bytes(64), "02"))
    assert outcome.status is Status.FAILED and outcome.error.kind == "NotHtml"
    assert world.publisher.detail_types() == ["Document Extracted", "Document Extraction Failed"]
    assert world.publisher.events[1].detail["error"]["stage"] == "decode"
    assert world.documents.documents[DOC].title.startswith("Good")
    item = world.item()
    assert item["sequencer"] == sequencer_key("02") and item["text_sha256"] is not None


def test_an_object_over_the_size_limit_fails_before_it_is_read():
    world = World(options=ExtractionOptions(Limits(max_input_bytes=1_000)))
    outcome = world.apply(world.upload(article_bytes(), "01"))
    assert outcome.error.kind == "InputTooLarge" and outcome.error.stage == "read"
    assert "MAX_INPUT_BYTES" in outcome.error.message


def test_a_deletion_removes_the_document_once(world):
    world.apply(world.upload(article_bytes(), "01"))
    outcome = world.apply(world.remove("02"))
    assert outcome.status is Status.DELETED and DOC not in world.documents.documents
    again = world.apply(ObjectChange(BUCKET, KEY, ChangeKind.DELETED, sequencer="03"))
    assert again.status is Status.SKIPPED and again.reason == "the document was already deleted"
    assert world.publisher.detail_types() == ["Document Extracted", "Document Deleted"]


def test_deleting_an_object_that_never_had_a_document_announces_nothing(world):
    world.apply(world.upload(b"\x89PNG\r\n\x1a\n" + bytes(64), "01"))
    outcome = world.apply(world.remove("02"))
    assert outcome.reason == "the object never had a document"
    assert world.publisher.detail_types() == ["Document Extraction Failed"]


def test_deleting_an_old_version_keeps_the_current_document(world):
    first = world.upload(article_bytes(title="First"), "01")
    world.apply(first)
    world.apply(world.upload(article_bytes(title="Current"), "02"))
    outcome = world.apply(world.remove("03", version_id=first.version_id))
    assert outcome.status is Status.UNCHANGED
    assert world.documents.documents[DOC].title.startswith("Current")


def test_deleting_the_current_version_brings_back_the_previous_one(world):
    world.apply(world.upload(article_bytes(title="First"), "01"))
    current = world.upload(article_bytes(title="Second"), "02")
    world.apply(current)
    outcome = world.apply(world.remove("03", version_id=current.version_id))
    assert outcome.status is Status.EXTRACTED
    assert world.documents.documents[DOC].title.startswith("First")
    assert world.publisher.events[-1].detail["changed"] is False  # same text, other title


def test_removing_a_delete_marker_brings_the_document_back(world):
    world.apply(world.upload(article_bytes(), "01"))
    deleted = world.remove("02")
    world.apply(deleted)
    assert DOC not in world.documents.documents
    outcome = world.apply(world.remove("03", version_id=deleted.version_id))  # the marker goes
    assert outcome.status is Status.EXTRACTED and DOC in world.documents.documents
    assert world.publisher.detail_types() == ["Document Extracted", "Document Deleted", "Document Extracted"]
    assert world.publisher.events[-1].detail["changed"] is True


def test_a_change_without_a_sequencer_keeps_the_last_one(world):
    world.apply(world.upload(article_bytes(title="Versioned"), "05"))
    world.pages.put(BUCKET, KEY, article_bytes(title="Backfilled"))
    world.apply(ObjectChange(BUCKET, KEY, ChangeKind.CREATED))  # a Batch Operations task
    assert world.item()["sequencer"] == sequencer_key("05")
    assert world.documents.documents[DOC].title.startswith("Backfilled")


def test_events_from_the_documents_bucket_are_refused_once(world):
    change = ObjectChange("documents-bucket", "documents/x.json", ChangeKind.CREATED, sequencer="01")
    outcome = world.apply(change)
    assert outcome.error.kind == "RecursiveTrigger" and world.documents.writes == 0
    item = world.state.state("documents-bucket", "documents/x.json")
    assert item.get("sequencer") is None and "lease_owner" not in item  # recorded, the state left as it was
    assert world.apply(change).duplicate  # a duplicate delivery emits no second failure
    assert world.publisher.detail_types() == ["Document Extraction Failed"]


def test_a_round_puts_out_what_is_pending_before_a_page_that_may_take_the_rest_of_the_time(world):
    clock = {"now": 0.0}
    invocation = Invocation.starting(30.0, clock=lambda: clock["now"])
    round_ = world.pipeline.round(invocation)
    first = round_.add(world.upload(article_bytes(title="First"), "01", key="a.html"))
    assert world.publisher.calls == 0  # 30 s left: its event waits for the round
    clock["now"] = 17.0  # 13 s left, less the 3 s margin: under the 10 s page budget and 0.5 s for the pending one
    round_.add(world.upload(article_bytes(title="Second"), "02", key="b.html"))
    assert world.publisher.calls == 1 and first.result().status is Status.EXTRACTED
    round_.finish()
    assert world.publisher.calls == 2


def test_too_little_time_left_retries_the_change_in_a_fresh_invocation(world):
    change = world.upload(article_bytes(), "01")
    almost_over = Invocation.starting(0.4, clock=lambda: world.now)
    with pytest.raises(OutOfTime):
        world.apply(change, almost_over)
    assert world.state.items == {} and world.publisher.events == []


def test_the_lease_outlives_the_invocation_by_a_little():
    invocation = Invocation.starting(60, clock=lambda: 0.0)
    assert invocation.lease_seconds == pytest.approx(67.0)
    assert invocation.seconds_left() == pytest.approx(55.0)
    assert Invocation().seconds_left() is None  # unbounded: the command line
