"""An unversioned input bucket on moto: the events S3 sends for it (through EventBridge, as the
embedded stack patches moto to send them) carry a sequencer and an ETag but no version id. Fed
to the function late, early, out of order and twice, they give the document of the last upload."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pagesift_local import moto_fixes
from tests.support.deliveries import sqs_event
from tests.support.pages import article_bytes

CRAWL = "team-crawl"  # a bucket that exists before the stack, never versioned
KEY = "crawl/news/story.html"
DOC = f"documents/{KEY}.json"


class CrawlBucket:
    """An unversioned bucket whose S3 events (Object Created/Deleted, as the input rule takes
    them) wait on a queue, so that a test chooses when and in which order the function gets them."""

    def __init__(self, account: Any) -> None:
        self.s3, self.sqs = account.s3, account.sqs
        self.s3.create_bucket(Bucket=CRAWL)
        self.s3.put_bucket_notification_configuration(
            Bucket=CRAWL, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        self.queue_url = self.sqs.create_queue(QueueName="crawl-events")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        pattern = {
            "source": ["aws.s3"],
            "detail-type": ["Object Created", "Object Deleted"],
            "detail": {"bucket": {"name": [CRAWL]}},
        }
        account.events.put_rule(Name="crawl", EventPattern=json.dumps(pattern))
        account.events.put_targets(Rule="crawl", Targets=[{"Id": "q", "Arn": arn}])

    def upload(self, title: str) -> str:
        self.s3.put_object(Bucket=CRAWL, Key=KEY, Body=article_bytes(title=title), ContentType="text/html")
        return self._event()

    def delete(self) -> str:
        self.s3.delete_object(Bucket=CRAWL, Key=KEY)
        return self._event()

    def _event(self) -> str:
        """The event S3 sent for the last change (moto sends it at once)."""
        [message] = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)["Messages"]
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        body: str = message["Body"]
        return body


@pytest.fixture
def crawl(account: Any) -> CrawlBucket:
    moto_fixes.apply()  # AWS-shaped S3 events: a sequencer per change, URL-encoded keys
    return CrawlBucket(account)


def deliver(app: Any, context: Any, *bodies: str) -> None:
    """Each event in its own invocation, in the order given."""
    for body in bodies:
        assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}


def title(account: Any) -> str:
    return account.document(DOC)["title"].split()[0]


def test_the_events_of_an_unversioned_bucket_carry_a_sequencer_and_no_version(crawl):
    first, second = (json.loads(crawl.upload(name))["detail"]["object"] for name in ("Alpha", "Beta"))
    assert "version-id" not in first and first["etag"] and first["sequencer"] < second["sequencer"]
    assert crawl.s3.get_bucket_versioning(Bucket=CRAWL).get("Status") is None


def test_uploads_delivered_newest_first_give_the_last_page(account, app, context, crawl):
    alpha, beta, gamma = (crawl.upload(name) for name in ("Alpha", "Beta", "Gamma"))
    deliver(app, context, gamma, beta, alpha)
    assert title(account) == "Gamma"
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]


def test_every_event_delivered_twice_in_a_shuffled_order_gives_one_event(account, app, context, crawl):
    alpha, beta, gamma = (crawl.upload(name) for name in ("Alpha", "Beta", "Gamma"))
    deliver(app, context, beta, gamma, alpha, gamma, beta, alpha)
    assert title(account) == "Gamma"
    events = account.captured_events()
    assert [e["detail-type"] for e in events] == ["Document Extracted"]
    assert events[0]["detail"]["source"].get("version_id") is None


def test_duplicates_and_older_changes_in_one_batch(account, app, context, crawl):
    alpha, beta = crawl.upload("Alpha"), crawl.upload("Beta")
    assert app.lambda_handler(sqs_event(beta, alpha, beta, alpha), context) == {"batchItemFailures": []}
    assert title(account) == "Beta"
    assert len(account.captured_events()) == 1


def test_a_late_deletion_never_removes_the_page_uploaded_after_it(account, app, context, crawl):
    alpha, gone, beta = crawl.upload("Alpha"), crawl.delete(), crawl.upload("Beta")
    deliver(app, context, beta, gone, alpha, gone)
    assert title(account) == "Beta"
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]


def test_a_deletion_delivered_before_its_upload_leaves_nothing(account, app, context, crawl):
    alpha, gone = crawl.upload("Alpha"), crawl.delete()
    deliver(app, context, gone, alpha, gone)
    assert account.document_keys() == [] and account.captured_events() == []


def test_in_order_a_page_replaced_then_deleted_is_announced_each_time(account, app, context, crawl):
    for change in (lambda: crawl.upload("Alpha"), lambda: crawl.upload("Beta"), crawl.delete):
        deliver(app, context, change())  # each delivered before the next change is made
    assert account.document_keys() == []
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"] * 2 + ["Document Deleted"]
