"""`pagesift redrive`'s reading of a dead letter and its object's item (tests/integration/
test_redrive.py runs it whole on the embedded stack)."""

from __future__ import annotations

import json

from pagesift_local import redrive
from tests.support.deliveries import created_body

NOW = 1_800_000_000.0


class OneMessageDLQ:
    def __init__(self, body: str, receive_count: int) -> None:
        self.message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body,
                        "Attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": str(int((NOW - 7200) * 1000))}}


class Table:
    def __init__(self, item: dict) -> None:
        self.item = item

    def get_item(self, **_kwargs):
        return {"Item": self.item}


def letter_for(item: dict, body: str | None = None, receive_count: int = 6) -> redrive.DeadLetter:
    dlq = OneMessageDLQ(body or created_body("news/a b.html"), receive_count)
    return redrive._letter(dlq.message, Table(item), "state", NOW)


def test_this_look_is_not_counted_as_a_delivery():
    assert letter_for({}).receive_count == 5


def test_a_document_written_by_a_run_that_died_holding_the_lease_is_shown_unannounced():
    item = {"dirty": {"BOOL": True}, "lease_owner": {"S": "dead"}, "lease_expires": {"N": str(NOW - 60)}}
    [obj] = letter_for(item).objects
    assert obj["document_unannounced"] and obj["died_mid_change"]
    assert "died in the middle of the change" in redrive.render([letter_for(item)], now=NOW)


def test_a_change_in_progress_elsewhere_is_not_taken_for_an_unannounced_document():
    item = {"dirty": {"BOOL": True}, "lease_owner": {"S": "alive"}, "lease_expires": {"N": str(NOW + 60)}}
    [obj] = letter_for(item).objects
    assert not obj["document_unannounced"] and not obj["died_mid_change"]


def test_the_reason_kept_on_the_item_is_shown():
    item = {"dirty": {"BOOL": True}, "last_error": {"M": {"message": {"S": "EventsNotPublished: 1 of 1 events not put"}, "at": {"N": str(NOW)}}}}
    text = redrive.render([letter_for(item)], now=NOW)
    assert "EventsNotPublished: 1 of 1 events not put" in text and "written and not announced" in text and "2.0 h ago" in text


def test_a_message_that_names_no_object_says_moving_it_back_emits_its_failure():
    letter = letter_for({}, body=json.dumps({"not": "an event"}))
    assert letter.unusable and "moving it back emits it" in redrive.render([letter], now=NOW)
