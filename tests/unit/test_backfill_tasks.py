"""What a backfill's tasks do (pagesift backfill: S3 Batch Operations jobs whose userArguments
say ``pagesift: backfill`` or ``reextract``): a backfill applies only versions no pagesift has
applied, a re-extraction also those another pagesift or other options made, and either
announces only documents that changed."""

from __future__ import annotations

import json
from pathlib import Path

from pagesift.extraction.limits import Limits
from pagesift.extraction.options import DEFAULT_OPTIONS, ExtractionOptions
from pagesift.contracts.events import DetailType
from pagesift.delivery.outcomes import Status
from pagesift.delivery.pipeline import Pipeline
from pagesift.delivery.triggers import ChangeKind, DeliveryKind, ObjectChange, read_event
from tests.support.fakes import InMemoryDocuments, InMemoryPages, InMemoryState, RecordingPublisher
from tests.support.pages import article_bytes

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "input"
# Options other than the defaults: a deployment with a larger input limit.
OTHER_OPTIONS = ExtractionOptions(Limits(max_input_bytes=40 * 1024 * 1024))


class World:
    def __init__(self) -> None:
        self.pages, self.documents, self.state = InMemoryPages(), InMemoryDocuments(), InMemoryState()
        self.publisher = RecordingPublisher()
        self.jobs = 0

    def pipeline(self, options: ExtractionOptions = DEFAULT_OPTIONS) -> Pipeline:
        return Pipeline(pages=self.pages, documents=self.documents, publisher=self.publisher, state=self.state,
                        options=options)

    def task(self, key: str, purpose: str | None, options: ExtractionOptions = DEFAULT_OPTIONS) -> object:
        self.jobs += 1
        change = ObjectChange(BUCKET, key, ChangeKind.CREATED, request=f"batch:job-{self.jobs}:task", purpose=purpose)
        return self.pipeline(options).process(change)


def test_a_backfill_applies_only_what_no_pagesift_has_applied() -> None:
    world = World()
    world.pages.put(BUCKET, "a.html", article_bytes())
    world.pages.put(BUCKET, "b.html", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert world.task("a.html", "backfill").status is Status.EXTRACTED
    assert world.task("b.html", "backfill").status is Status.FAILED
    events = len(world.publisher.events)
    # Again: both versions were applied (a failure too), nothing is read, nothing announced.
    for key in ("a.html", "b.html"):
        outcome = world.task(key, "backfill")
        assert outcome.status is Status.SKIPPED and "applied already" in outcome.reason
    assert len(world.publisher.events) == events
    # A new version of a page is applied by the next backfill.
    world.pages.put(BUCKET, "a.html", article_bytes(title="A new title"))
    assert world.task("a.html", "backfill").status is Status.EXTRACTED


def test_a_reextraction_redoes_what_another_pagesift_made_and_announces_only_changes() -> None:
    world = World()
    world.pages.put(BUCKET, "a.html", article_bytes())
    assert world.task("a.html", None).status is Status.EXTRACTED
    outcome = world.task("a.html", "reextract")
    assert outcome.status is Status.SKIPPED and "this pagesift with these options" in outcome.reason
    # Made with other options (another input limit): redone; the same document is not announced again.
    events = len(world.publisher.events)
    outcome = world.task("a.html", "reextract", OTHER_OPTIONS)
    assert outcome.status in (Status.UNCHANGED, Status.EXTRACTED)
    if outcome.status is Status.UNCHANGED:
        assert len(world.publisher.events) == events
    else:
        assert world.publisher.events[-1].detail_type is DetailType.EXTRACTED
    assert world.task("a.html", "reextract", OTHER_OPTIONS).status is Status.SKIPPED
    # Recorded on the object: what made it.
    made_by = world.state.state(BUCKET, "a.html")["made_by"]
    assert made_by == world.pipeline(OTHER_OPTIONS).made_by != world.pipeline().made_by


def test_a_job_without_pagesift_arguments_applies_every_task_as_before() -> None:
    world = World()
    world.pages.put(BUCKET, "a.html", article_bytes())
    world.task("a.html", None)
    assert world.task("a.html", None).status is Status.UNCHANGED


def test_the_jobs_user_arguments_say_the_purpose() -> None:
    event = json.loads((ROOT / "events" / "batch-operations-v2.json").read_text())
    assert read_event(event).items[0].changes[0].purpose is None
    for purpose in ("backfill", "reextract"):
        event["job"]["userArguments"] = {"pagesift": purpose}
        delivery = read_event(event)
        assert delivery.kind is DeliveryKind.JOB and delivery.items[0].changes[0].purpose == purpose
    for unknown in ("rm -rf", ["backfill"], {"a": 1}, 7):
        event["job"]["userArguments"] = {"pagesift": unknown}
        assert read_event(event).items[0].changes[0].purpose is None
