"""SQS adapter: the archive queue as the archive work's WorkQueue (the steps of archive runs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SEND_BATCH = 10  # messages per SendMessageBatch call, SQS's most


class SqsWorkQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self.queue_url = queue_url

    def send(self, messages: Sequence[str]) -> None:
        """Send every message, ten a call, resending once those SQS refused; raises if any is
        still not sent (the task that sends them is then retried, and sends them again)."""
        for start in range(0, len(messages), SEND_BATCH):
            pending = {str(n): body for n, body in enumerate(messages[start : start + SEND_BATCH])}
            for _attempt in range(2):
                response = self._sqs.send_message_batch(
                    QueueUrl=self.queue_url, Entries=[{"Id": n, "MessageBody": b} for n, b in pending.items()]
                )
                pending = {failed["Id"]: pending[failed["Id"]] for failed in response.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise RuntimeError(f"{len(pending)} archive tasks not sent: {response.get('Failed', [])[:1]}")
