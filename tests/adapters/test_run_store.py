"""The RunStore's semantics on the in-memory fake and on the DynamoDB adapter (moto): a range's
progress saved and read back, ranges done counted once however often they are marked, the run
complete exactly when every range is done and the number of ranges is known, whichever comes
first; the announcement marked once; items that expire."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from pagesift.aws.dynamodb import DynamoDBRunStore
from tests.support.fakes import InMemoryRuns


@pytest.fixture(params=["fake", "dynamodb"])
def runs(request: pytest.FixtureRequest):  # noqa: ANN201
    if request.param == "fake":
        yield InMemoryRuns()
        return
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(TableName="state", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        store = DynamoDBRunStore(db, "state", clock=lambda: 1000.0)
        store.db = db  # type: ignore[attr-defined]  # for the test's own look at the items
        yield store


def test_progress_is_saved_and_read_back(runs) -> None:  # noqa: ANN001
    assert runs.progress("r", 0) is None
    runs.save_progress("r", 0, offset=1234, counts={"pages": 3, "failures": {"NotHtml": 1}}, done=False)
    assert runs.progress("r", 0) == {"offset": 1234, "counts": {"pages": 3, "failures": {"NotHtml": 1}}, "done": False}
    for index in range(1, 230):  # more than one BatchGetItem takes
        runs.save_progress("r", index, offset=index, counts={"pages": 1}, done=True)
    assert sorted(p["offset"] for p in runs.all_progress("r", 230)) == sorted([1234, *range(1, 230)])


def test_the_run_is_complete_once_every_range_is_done_and_their_number_known(runs) -> None:  # noqa: ANN001
    assert not runs.range_done("r", 1).complete
    assert not runs.range_done("r", 1).complete  # again: still one
    assert not runs.planned("r", ranges=3).complete
    assert not runs.range_done("r", 0).complete
    last = runs.range_done("r", 2)
    assert last.complete and (last.ranges, last.done) == (3, 3)
    # Ranges done before planning ends: the plan's own write sees it complete.
    for index in range(2):
        runs.range_done("s", index)
    assert runs.planned("s", ranges=2).complete


def test_the_announcement_is_marked_and_items_expire(runs) -> None:  # noqa: ANN001
    assert not runs.is_announced("r")
    runs.planned("r", ranges=1)
    runs.mark_announced("r")
    assert runs.is_announced("r")
    if isinstance(runs, DynamoDBRunStore):
        items = runs.db.scan(TableName="state")["Items"]  # type: ignore[attr-defined]
        assert items and all(int(item["expiration"]["N"]) == 1000 + 30 * 24 * 3600 for item in items)
