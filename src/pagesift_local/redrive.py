"""``pagesift redrive``: what is in ExtractDLQ and why, and moving it back to ExtractQueue.

A message lands in ExtractDLQ after ``MaxReceiveCount`` deliveries that each hit a transient
error (an outage that outlasted the retries, a misconfiguration, a bug). Nothing of it is lost:
its object's item on the StateTable says whether a document was written and not announced
(``dirty``) and why the function last gave the object up (``last_error``, kept by every release
of a change not applied). Once the cause is fixed, the messages go back to ExtractQueue and
each change is applied as if it had just arrived: a document written but never announced is
written again and announced (the dirty mark), a change applied since is a duplicate or stale.

The stack is found by name through CloudFormation (its outputs name the queues and the table),
on AWS or, with ``--endpoint-url``, on the embedded local stack (``pagesift local up``). On
AWS the messages move with an SQS message move task (``StartMessageMoveTask``), which SQS runs
itself; moto has no move tasks, so on the local stack they are received, sent and deleted
(each message is deleted from the DLQ only once ExtractQueue has it: nothing is lost, and a
message moved twice is a duplicate delivery, which the function answers from its record).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from pagesift.aws.dynamodb import DynamoDBStateStore, last_error
from pagesift.delivery.triggers import UnsupportedEventError, changes_in
from pagesift_local.errors import CommandError
from pagesift_local.outputs import stack_outputs

PEEK_VISIBILITY_SECONDS = 30  # a message read to be shown is hidden this long, then shown again
RECEIVE_BATCH = 10  # SQS's most per ReceiveMessage and SendMessageBatch


@dataclass(frozen=True, slots=True)
class StackQueues:
    dlq_url: str
    queue_url: str
    state_table: str

    @classmethod
    def of_stack(cls, cloudformation: Any, stack_name: str) -> StackQueues:
        outputs = stack_outputs(cloudformation, stack_name, ("ExtractDLQUrl", "ExtractQueueUrl", "StateTableName"))
        return cls(outputs["ExtractDLQUrl"], outputs["ExtractQueueUrl"], outputs["StateTableName"])


@dataclass(slots=True)
class DeadLetter:
    """One message of the DLQ, with what the state table says of each object it names."""

    message_id: str
    receive_count: int  # deliveries before this look (every look receives it once)
    sent_at: float | None  # when it was first sent to ExtractQueue (epoch seconds)
    objects: list[dict[str, Any]] = field(default_factory=list)
    unusable: str | None = None  # why the body names no object (the function reported it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "receive_count": self.receive_count,
            "sent_at": self.sent_at,
            "objects": self.objects,
            "unusable": self.unusable,
        }


def inspect(sqs: Any, dynamodb: Any, queues: StackQueues, *, limit: int = 100) -> list[DeadLetter]:
    """Up to ``limit`` messages of the DLQ with their reasons; they stay in it (each is hidden
    for a moment while read, then made visible again)."""
    letters: dict[str, DeadLetter] = {}
    handles = []
    now = time.time()
    while len(letters) < limit:
        # Long polling: a short poll samples a few of SQS's servers and can miss a small queue's messages.
        messages = sqs.receive_message(
            QueueUrl=queues.dlq_url,
            MaxNumberOfMessages=min(RECEIVE_BATCH, limit - len(letters)),
            VisibilityTimeout=PEEK_VISIBILITY_SECONDS,
            AttributeNames=["All"],
            WaitTimeSeconds=1,
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            handles.append(message["ReceiptHandle"])
            if message["MessageId"] not in letters:
                letters[message["MessageId"]] = _letter(message, dynamodb, queues.state_table, now)
    for start in range(0, len(handles), RECEIVE_BATCH):
        sqs.change_message_visibility_batch(
            QueueUrl=queues.dlq_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                for i, handle in enumerate(handles[start : start + RECEIVE_BATCH])
            ],
        )
    return list(letters.values())


def _letter(message: dict[str, Any], dynamodb: Any, table: str, now: float) -> DeadLetter:
    attributes = message.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    # This look is a receive too: it is not counted (an earlier look, by this or anyone, is).
    received = max(0, int(attributes.get("ApproximateReceiveCount", "1")) - 1)
    letter = DeadLetter(message["MessageId"], received, int(sent) / 1000 if sent else None)
    try:
        changes = changes_in(message.get("Body", ""), inside="SQS message body")
    except UnsupportedEventError as error:
        letter.unusable = str(error)
        return letter
    for change in changes:
        item = dynamodb.get_item(
            TableName=table,
            Key={"id": {"S": DynamoDBStateStore.item_id(change.bucket, change.key)}},
            ConsistentRead=True,
        ).get("Item", {})
        given_up = last_error(item)  # (why, when), or None
        lease_expires = float(item.get("lease_expires", {}).get("N", "0"))
        held = "lease_owner" in item and lease_expires >= now  # an expired lease is a run that died mid-change
        letter.objects.append(
            {
                "bucket": change.bucket,
                "key": change.key,
                "change": change.kind.value,
                "version_id": change.version_id,
                "document_unannounced": bool(item.get("dirty", {}).get("BOOL")) and not held,
                "died_mid_change": "lease_owner" in item and not held,
                "reason": given_up[0] if given_up else None,
                "reason_at": given_up[1] if given_up else None,
            }
        )
    return letter


def waiting(sqs: Any, queues: StackQueues) -> int:
    """How many messages the DLQ holds, as SQS counts them (visible and in flight)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queues.dlq_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def move(sqs: Any, queues: StackQueues, *, local: bool, wait_seconds: float = 600.0, poll_seconds: float = 2.0) -> int:
    """Move every message of the DLQ back to ExtractQueue; the number moved (as SQS counts)."""
    if not local:
        return _move_task(sqs, queues, wait_seconds, poll_seconds)
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=queues.dlq_url, MaxNumberOfMessages=RECEIVE_BATCH, VisibilityTimeout=60, WaitTimeSeconds=1
        ).get("Messages", [])
        if not messages:
            return moved
        sent = sqs.send_message_batch(
            QueueUrl=queues.queue_url,
            Entries=[{"Id": str(i), "MessageBody": message["Body"]} for i, message in enumerate(messages)],
        )
        delivered = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        done = [
            {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]}
            for i, message in enumerate(messages)
            if i in delivered
        ]
        if done:
            sqs.delete_message_batch(QueueUrl=queues.dlq_url, Entries=done)
        moved += len(done)
        if sent.get("Failed"):
            failure = sent["Failed"][0]
            raise CommandError(
                f"ExtractQueue refused {len(sent['Failed'])} message(s) "
                f"({failure.get('Code')}: {failure.get('Message')}); they stay in the DLQ"
            )


def _move_task(sqs: Any, queues: StackQueues, wait_seconds: float, poll_seconds: float) -> int:
    source = sqs.get_queue_attributes(QueueUrl=queues.dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    destination = sqs.get_queue_attributes(QueueUrl=queues.queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    handle = sqs.start_message_move_task(SourceArn=source, DestinationArn=destination)["TaskHandle"]
    deadline = time.monotonic() + wait_seconds
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=source, MaxResults=10).get("Results", [])
        task = next((t for t in tasks if t.get("TaskHandle") == handle), tasks[0] if tasks else {})
        status = task.get("Status")
        if status == "COMPLETED":
            return int(task.get("ApproximateNumberOfMessagesMoved", 0))
        if status in ("FAILED", "CANCELLED"):
            raise CommandError(f"the move task {status.lower()}: {task.get('FailureReason', 'no reason given')}")
        if time.monotonic() > deadline:
            raise CommandError(f"the move task is still {status} after {wait_seconds:.0f} s; it goes on in SQS")
        time.sleep(poll_seconds)


def render(letters: list[DeadLetter], now: float | None = None) -> str:
    """The DLQ as a table an operator reads: one line per object named."""
    now = time.time() if now is None else now
    if not letters:
        return "ExtractDLQ is empty."
    lines = [f"ExtractDLQ: {len(letters)} message(s)"]
    for letter in letters:
        age = f"{(now - letter.sent_at) / 3600:.1f} h ago" if letter.sent_at else "at an unknown time"
        head = f"- {letter.message_id}: delivered {letter.receive_count}x, first sent {age}"
        if letter.unusable:
            lines.append(
                f"{head}; names no object ({letter.unusable}): "
                "its failure event could not be put, moving it back emits it"
            )
            continue
        lines.append(head)
        for obj in letter.objects:
            unannounced = (
                "; a document was written and not announced (moving it back announces it)"
                if obj["document_unannounced"]
                else ""
            )
            reason = obj["reason"] or (
                "the last run died in the middle of the change (its lease expired): "
                "a timeout or a crash, see the function's log"
                if obj["died_mid_change"]
                else "no reason recorded "
                "(the state table was not reachable, or no lease was taken: see the function's log)"
            )
            lines.append(f"    {obj['change']} s3://{obj['bucket']}/{obj['key']}: {reason}{unannounced}")
    return "\n".join(lines)


def as_json(letters: list[DeadLetter]) -> str:
    return "\n".join(json.dumps(letter.to_dict(), ensure_ascii=False) for letter in letters)
