"""The embedded local stack: a moto server provisioned from ``template.yaml`` itself.

The production template is SAM-transformed with samtranslator and created as a CloudFormation
stack on an in-process moto server, so the local topology (buckets, rules, queues, redrive,
event source settings, function environment) cannot drift from the deployed one. Only the
logical ids of the template are known here; every name comes from the stack.

moto 5.2's CloudFormation does not do everything AWS does: ``pagesift_local.cloudformation_gaps``
lists each gap and fills most of them around ``create_stack``; the template's parameters are
checked as CloudFormation checks them in ``pagesift_local.parameters``. The gaps that are the
stack's own are filled here, next to a comment naming them: the functions' code in S3 (a stub:
the worker runs the real code), the SQS event source mappings (disabled: the worker is the
poller), and werkzeug's request log.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import threading
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from . import moto_fixes
from .cloudformation_gaps import adapt_for_moto, apply_after_create, recorded_resource_failures
from .parameters import check_parameters
from .template import load_template, to_cloudformation

log = logging.getLogger(__name__)

# moto keeps its state per process, shared by every server in it: see LocalStack.stop.
_live_lock = threading.Lock()
_live_stacks = 0

_DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

FUNCTIONS = ("ExtractFunction", "ArchiveFunction")  # the template's functions, which the workers play


@dataclass(frozen=True)
class FunctionConfig:
    """What the worker needs to play Lambda for a function (ExtractFunction, ArchiveFunction)."""

    code_dir: Path  # absolute path of CodeUri
    handler: str  # "extract.app.lambda_handler": module path under code_dir
    environment: dict[str, str]  # resolved by the stack (real names) + Globals
    timeout: int
    memory_size: int
    name: str = ""  # its physical name


@dataclass(frozen=True)
class EventSourceConfig:
    """A function's SQS event source, as the template configures it."""

    queue_url: str
    batch_size: int
    batching_window_seconds: int
    maximum_concurrency: int | None
    report_batch_item_failures: bool


def local_queue_url(sqs: Any, url: str) -> str:
    """The URL this server gives a queue a stack output names: outputs carry AWS-style URLs,
    moto's differ (what get_queue_url says)."""
    return sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]


class LocalStack:
    def __init__(
        self,
        template_path: Path,
        *,
        region: str = "us-east-1",
        stack_name: str = "pagesift-local",
        parameters: dict[str, str] | None = None,
        port: int = 0,
        prepare: Callable[[LocalStack], None] | None = None,
    ) -> None:
        """``prepare`` is called once the server answers, before the template is provisioned:
        what the parameters name and the stack does not create must exist by then, as on AWS
        (the bucket of ExistingInputBucketName)."""
        self.template_path = Path(template_path).resolve()
        self.region = region
        self.stack_name = stack_name
        self.parameters = {k: str(v) for k, v in (parameters or {}).items()}
        self.port = port
        self._prepare = prepare
        self.endpoint_url = ""
        self.outputs: dict[str, str] = {}
        self.function: FunctionConfig
        self.event_source: EventSourceConfig  # ExtractQueue's
        self.archive_source: EventSourceConfig | None = None  # ArchiveQueue's
        self.archive_function: FunctionConfig | None = None  # the function on it
        self._functions: list[str] = []
        self.event_sources: dict[str, EventSourceConfig] = {}
        self._server: Any = None
        self._info: dict[str, str] = {}

    # -- lifecycle

    def start(self) -> LocalStack:
        global _live_stacks
        # moto.server takes about 330 ms to import: only a starting stack pays it, not the commands
        # and the worker that import this module for its configurations.
        from moto.server import ThreadedMotoServer

        template = load_template(self.template_path)
        check_parameters(template.get("Parameters", {}), self.parameters)

        # verbose=False only drops moto's start banner: werkzeug still logs every request, at INFO
        # on its own stderr handler unless its logger has a level. Keep its errors (tracebacks of
        # a failing request), unless the application configured that logger itself.
        werkzeug_log = logging.getLogger("werkzeug")
        if werkzeug_log.level == logging.NOTSET:
            werkzeug_log.setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        with _live_lock:
            if _live_stacks == 0:
                moto_fixes.apply()
            _live_stacks += 1
        try:
            host, port = self._server.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
            if self._prepare is not None:
                self._prepare(self)
            self._provision(template)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server. moto's state lives in the process, shared by all its servers: the
        last stack to stop clears it, so that memory is freed and a next start is clean."""
        global _live_stacks
        if self._server is None:
            return
        with _live_lock:
            _live_stacks -= 1
            if _live_stacks == 0:
                try:
                    urllib.request.urlopen(  # noqa: S310 (our own loopback server)
                        urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST"),
                        timeout=10,
                    ).close()
                except OSError as exc:
                    log.warning("could not reset the moto state: %s", exc)
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- access

    def client(self, service_name: str) -> Any:
        """A boto3 client of this stack (endpoint, region, dummy credentials: no env changes)."""
        return boto3.client(service_name, endpoint_url=self.endpoint_url, region_name=self.region, **_DUMMY_CREDENTIALS)

    def info(self) -> dict[str, str]:
        """What a client needs to use the stack (the first line of ``pagesift local up``)."""
        return dict(self._info)

    # -- provisioning

    def _provision(self, template: dict[str, Any]) -> None:
        code_uri = template["Resources"]["ExtractFunction"]["Properties"]["CodeUri"]
        template = copy.deepcopy(template)
        # moto gap (and no `sam package` here): the function code must be in S3. A stub is enough,
        # moto never runs it; the worker runs the real code from FunctionConfig.code_dir.
        stub = self._upload_stub_code()
        self._functions = [name for name in FUNCTIONS if name in template["Resources"]]
        for name in self._functions:
            template["Resources"][name]["Properties"]["CodeUri"] = stub
        cfn = to_cloudformation(template, self.parameters, region=self.region, credentials=_DUMMY_CREDENTIALS)
        cfn = adapt_for_moto(cfn, self.parameters, self.stack_name)
        self._create_stack(cfn)
        apply_after_create(cfn, self.client("s3"), self.client("dynamodb"), self._created_resources())
        self._disable_queue_mappings()

        stack = self.client("cloudformation").describe_stacks(StackName=self.stack_name)["Stacks"][0]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        configs = self._read_functions(code_dir=(self.template_path.parent / code_uri).resolve())
        self.function = configs["ExtractFunction"]
        self.archive_function = configs.get("ArchiveFunction")

        sqs = self.client("sqs")
        self.event_sources = self._read_event_sources(sqs)
        self.event_source = self.event_sources[local_queue_url(sqs, self.outputs["ExtractQueueUrl"])]
        # The archive queue's (docs/archives.md), when the template has one.
        if "ArchiveQueueUrl" in self.outputs:
            self.archive_source = self.event_sources.get(local_queue_url(sqs, self.outputs["ArchiveQueueUrl"]))
        else:
            self.archive_source = None
        self._info = self._client_info(sqs)

    def _read_functions(self, code_dir: Path) -> dict[str, FunctionConfig]:
        """The functions read back from moto, which resolved every Ref/GetAtt of their environments."""
        lam = self.client("lambda")
        configs = {}
        for name in self._functions:
            fn = lam.get_function_configuration(FunctionName=self._physical_id(name))
            configs[name] = FunctionConfig(
                code_dir=code_dir,
                handler=fn["Handler"],
                # Lambda's environment values are strings; moto keeps numbers from Number parameters.
                environment={k: str(v) for k, v in fn.get("Environment", {}).get("Variables", {}).items()},
                timeout=int(fn["Timeout"]),
                memory_size=int(fn["MemorySize"]),
                name=self._physical_id(name),
            )
        return configs

    def _read_event_sources(self, sqs: Any) -> dict[str, EventSourceConfig]:
        """The functions' SQS event sources by queue URL, as SAM configured their mappings."""
        sources = {}
        for name in self._functions:
            for esm in self._queue_mappings(name):
                queue_name = esm["EventSourceArn"].rsplit(":", 1)[1]
                url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
                sources[url] = EventSourceConfig(
                    queue_url=url,
                    batch_size=int(esm.get("BatchSize", 10)),
                    batching_window_seconds=int(esm.get("MaximumBatchingWindowInSeconds", 0)),
                    maximum_concurrency=(esm.get("ScalingConfig") or {}).get("MaximumConcurrency"),
                    report_batch_item_failures="ReportBatchItemFailures" in esm.get("FunctionResponseTypes", []),
                )
        return sources

    def _client_info(self, sqs: Any) -> dict[str, str]:
        archive: dict[str, str] = {}
        if self.archive_source:
            archive = {
                "archive_queue_url": self.archive_source.queue_url,
                "archive_dlq_url": local_queue_url(sqs, self.outputs["ArchiveDLQUrl"]),
            }
        return {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "input_bucket": self.outputs["InputBucketName"],
            "documents_bucket": self.outputs["DocumentsBucketName"],
            "event_bus": self.outputs["EventBusName"],
            "extract_queue_url": self.event_source.queue_url,
            "extract_dlq_url": local_queue_url(sqs, self.outputs["ExtractDLQUrl"]),
            "index_queue_url": local_queue_url(sqs, self.outputs["IndexQueueUrl"]),
            **archive,
            "state_table": self.outputs["StateTableName"],
        }

    def _upload_stub_code(self) -> dict[str, str]:
        """Upload a stub zip to an artifacts bucket (what `sam package` does with the real one)."""
        bucket = f"{self.stack_name}-artifacts".lower()
        s3 = self.client("s3")
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.region})
        stub = io.BytesIO()
        with zipfile.ZipFile(stub, "w") as zf:
            zf.writestr("README", "Stub: the local worker runs the function from its CodeUri.\n")
        s3.put_object(Bucket=bucket, Key="extract.zip", Body=stub.getvalue())
        return {"Bucket": bucket, "Key": "extract.zip"}

    def _create_stack(self, cfn: dict[str, Any]) -> None:
        client = self.client("cloudformation")
        failures: list[str] = []
        try:
            with recorded_resource_failures(failures):
                client.create_stack(
                    StackName=self.stack_name,
                    TemplateBody=json.dumps(cfn),
                    Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()],
                    Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
                )
        except Exception as exc:
            cause = "; ".join(failures) or str(exc)
            raise RuntimeError(
                f"creating stack {self.stack_name!r} from {self.template_path} on moto failed: {cause}"
            ) from exc

        stack = client.describe_stacks(StackName=self.stack_name)["Stacks"][0]
        # moto creates synchronously: anything but CREATE_COMPLETE now is a failure.
        bad = [
            f"{r.get('LogicalResourceId')} ({r['ResourceType']}): {r['ResourceStatus']} "
            f"{r.get('ResourceStatusReason', '')}".strip()
            for r in client.describe_stack_resources(StackName=self.stack_name)["StackResources"]
            if r.get("LogicalResourceId") and r["ResourceStatus"] != "CREATE_COMPLETE"
        ]
        if stack["StackStatus"] != "CREATE_COMPLETE" or bad:
            raise RuntimeError(
                f"stack {self.stack_name!r} is {stack['StackStatus']} "
                f"({stack.get('StackStatusReason', 'no reason given')}): {'; '.join(bad) or 'no failed resource'}"
            )

        # Whatever moto still did not create (all its types were supported) would be missing silently.
        # A resource with a Condition may be absent by design (the input bucket, when the stack
        # watches an existing one).
        created = self._created_resources()
        for logical_id, resource in cfn["Resources"].items():
            if logical_id not in created and "Condition" not in resource:
                log.warning("moto did not create %s (%s): it is missing locally", logical_id, resource["Type"])

    def _disable_queue_mappings(self) -> None:
        """moto gap (on purpose): an enabled SQS event source mapping makes moto invoke the function
        in Docker on every SendMessage to the queue. The worker is the poller: disable them."""
        lam = self.client("lambda")
        for name in self._functions:
            for esm in self._queue_mappings(name):
                lam.update_event_source_mapping(UUID=esm["UUID"], Enabled=False)

    # -- helpers

    def _created_resources(self) -> dict[str, str]:
        """Logical id -> physical id of what moto created (skipped resources have no logical id)."""
        try:
            resources = self.client("cloudformation").describe_stack_resources(StackName=self.stack_name)
        except Exception:  # the stack may not even exist after a failed create
            return {}
        return {
            r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
            for r in resources["StackResources"]
            if r.get("LogicalResourceId")
        }

    def _physical_id(self, logical_id: str) -> str:
        physical = self._created_resources().get(logical_id)
        if not physical:
            raise RuntimeError(f"{logical_id} has no physical resource in stack {self.stack_name!r}")
        return physical

    def _queue_mappings(self, function: str) -> list[dict[str, Any]]:
        """The event source mappings SAM made for the function's SQS events."""
        lam = self.client("lambda")
        mappings = lam.list_event_source_mappings(FunctionName=self._physical_id(function))
        return [m for m in mappings["EventSourceMappings"] if ":sqs:" in m["EventSourceArn"]]
