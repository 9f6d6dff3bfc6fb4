"""Plays Lambda's SQS event source mapping for the embedded stack.

Polls ExtractQueue, hands batches to the handler exactly as Lambda would (the same record
shape, a context object), deletes what succeeded and leaves reported failures to the
queue: they come back after the visibility timeout and, past ``maxReceiveCount``, SQS
moves them to the dead-letter queue. Each worker thread loads its own copy of the handler
module, as each Lambda execution environment does, since module state (batch processor,
clients) is not shared between concurrent invocations. The handler writes its logs and
metrics to stdout, as in Lambda; the command line points stdout at a log file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .stack import EventSourceConfig, FunctionConfig, LocalStack

log = logging.getLogger(__name__)
_module_counter = itertools.count()


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class WorkerStats:
    batches: int = 0
    received: int = 0
    succeeded: int = 0
    failed: int = 0
    handler_errors: int = 0
    timeouts: int = 0


def function_environment(stack: LocalStack, function: FunctionConfig | None = None) -> dict[str, str]:
    """The function's environment on the embedded stack, as Lambda would set it."""
    function = function or stack.function
    env = dict(function.environment)
    env.update(
        AWS_ENDPOINT_URL=stack.endpoint_url,
        AWS_DEFAULT_REGION=stack.region,
        AWS_REGION=stack.region,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_LAMBDA_FUNCTION_NAME=function.name or stack.outputs.get("ExtractFunctionName", "ExtractFunction"),
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(function.memory_size),
    )
    return env


def load_function_module(stack: LocalStack, function: FunctionConfig | None = None) -> ModuleType:
    """Import a fresh copy of the function's handler module from its CodeUri."""
    function = function or stack.function
    os.environ.update(function_environment(stack, function))
    module_name = function.handler.rpartition(".")[0]
    code_dir = function.code_dir
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    path = code_dir / (module_name.replace(".", "/") + ".py")
    unique = f"_pagesift_handler_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the handler module {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handler_of(
    stack: LocalStack, module: ModuleType, function: FunctionConfig | None = None
) -> Callable[[dict[str, Any], Any], Any]:
    return getattr(module, (function or stack.function).handler.rpartition(".")[2])


class QueueWorker:
    def __init__(
        self,
        stack: LocalStack,
        *,
        concurrency: int = 1,
        wait_seconds: int = 1,
        batching_window_seconds: float | None = None,
        visibility_timeout: int | None = None,
        function_timeout: int | None = None,
        on_load: Callable[[ModuleType], None] | None = None,
        source: EventSourceConfig | None = None,
    ) -> None:
        """The overrides are for tests and benchmarks that scale time down: a shorter visibility
        timeout brings retries back in seconds, a shorter function timeout shortens the context's
        remaining time (and so object leases) to match.
        ``on_load`` sees each execution environment's module once it is imported. ``source``:
        the event source played (default: ExtractQueue's; ``stack.archive_source`` for the
        archive queue's)."""
        self.stack = stack
        self.source = source or stack.event_source
        # The function the source is the event source of (the archive queue's is the archive function).
        function = stack.archive_function if source is not None and source is stack.archive_source else stack.function
        if function is None:
            raise ValueError("the template has no function for the archive queue")
        self.function = function
        self.concurrency = max(1, min(concurrency, self.source.maximum_concurrency or concurrency))
        self.wait_seconds = wait_seconds
        # Lambda waits up to the window for a full batch; tests may shorten it (None: template's).
        self.batching_window_seconds = (
            self.source.batching_window_seconds if batching_window_seconds is None else batching_window_seconds
        )
        self.stats = WorkerStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sqs = stack.client("sqs")
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.source.queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"]
        )
        self.queue_arn = attributes["Attributes"]["QueueArn"]
        self.visibility_timeout = visibility_timeout or int(attributes["Attributes"]["VisibilityTimeout"])
        self.function_timeout = function_timeout or self.function.timeout
        self.on_load = on_load

    def start(self) -> QueueWorker:
        for number in range(self.concurrency):
            module = load_function_module(self.stack, self.function)
            if self.on_load is not None:
                self.on_load(module)
            handler = handler_of(self.stack, module, self.function)
            name = f"pagesift-worker-{'archive-' if self.source is self.stack.archive_source else ''}{number}"
            thread = threading.Thread(target=self._run, args=(handler,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def __enter__(self) -> QueueWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        while not self._stop.is_set():
            try:
                messages = self._receive_batch()
                if messages:
                    self.invoke(handler, messages)
            except Exception:  # keep polling, as the real poller does, but say what happened
                log.exception("local worker: polling failed")
                time.sleep(1)

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Gather messages until BatchSize or, once the first has come, the batching window
        has passed (as Lambda does with MaximumBatchingWindowInSeconds)."""
        batch: list[dict[str, Any]] = []
        deadline = None
        while len(batch) < self.source.batch_size and not self._stop.is_set():
            remaining = self.wait_seconds if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                break
            response = self._sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(10, self.source.batch_size - len(batch)),
                WaitTimeSeconds=max(0, min(int(remaining), 20)),
                VisibilityTimeout=self.visibility_timeout,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages", [])
            batch.extend(received)
            if not batch:
                return batch  # nothing yet: poll again from the top
            if deadline is None:
                deadline = time.monotonic() + self.batching_window_seconds
            if not received:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        return batch

    def invoke(self, handler: Callable[[dict[str, Any], Any], Any], messages: list[dict[str, Any]]) -> None:
        event = {"Records": [self._record(message) for message in messages]}
        context = LambdaContext(
            function_name=self.function.name or self.stack.outputs.get("ExtractFunctionName", "ExtractFunction"),
            memory_limit_in_mb=self.function.memory_size,
            invoked_function_arn=self.stack.outputs.get("ExtractFunctionArn", ""),
            timeout_seconds=self.function_timeout,
            aws_request_id=str(uuid.uuid4()),
            _deadline=time.monotonic() + self.function_timeout,
        )
        failed_ids: set[str]
        started = time.monotonic()
        try:
            response = handler(event, context)
            failed_ids = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
            if time.monotonic() - started > self.function_timeout:
                # Lambda would have stopped the invocation at its timeout and the whole batch
                # would come back; a thread cannot be stopped, so the outcome is applied after.
                log.error(
                    "local worker: the batch ran past the function timeout of %s s; it will be retried",
                    self.function_timeout,
                )
                failed_ids = {message["MessageId"] for message in messages}
                with self._lock:
                    self.stats.timeouts += 1
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - a crashed runtime is what this stands for
            # A raised error fails the whole batch: every message comes back after its timeout.
            log.exception("local worker: the handler raised; the whole batch will be retried")
            failed_ids = {message["MessageId"] for message in messages}
            with self._lock:
                self.stats.handler_errors += 1
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            self._sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ],
            )
        with self._lock:
            self.stats.batches += 1
            self.stats.received += len(messages)
            self.stats.succeeded += len(done)
            self.stats.failed += len(messages) - len(done)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """One SQS message in the shape Lambda's event source mapping delivers it."""
        body = message["Body"]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value.get("DataType"),
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),  # noqa: S324
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.stack.region,
        }
