"""The embedded local stack: a moto server provisioned from ``template.yaml`` itself.

The production template is SAM-transformed with samtranslator and created as a CloudFormation
stack on an in-process moto server, so the local topology (buckets, rules, queues, redrive,
event source settings, function environment) cannot drift from the deployed one. Only the
logical ids of the template are known here; every name comes from the stack.

moto 5.2's CloudFormation does not do everything AWS does. Each gap is filled explicitly below,
next to a comment naming it:

Before ``create_stack`` (moto would fail on the template as AWS accepts it, or accept too much):
- Parameter values are checked against AllowedValues/AllowedPattern/MinValue/MaxValue, which
  moto ignores (e.g. it would take a FunctionTimeout missing from the TimeoutSettings mapping).
- ``CodeUri`` is a local folder, which only ``sam build``/``sam package`` turn into S3: it points at
  a stub zip uploaded to an artifacts bucket first (moto never runs it: no Docker here; the
  worker plays Lambda with the real code from ``FunctionConfig.code_dir``).
- ``Fn::FindInMap`` keyed by a ``Number`` parameter: moto resolves the ``Ref`` to an int and the
  lookup fails (``KeyError: 60``); CloudFormation passes the string. Resolved here.
- ``AWS::Events::Archive``: the name moto generates can pass the 48-character limit (the stack
  fails), so archives are named here within it.
- ``AWS::Events::Archive`` with an ``EventPattern`` object (the documented form) crashes moto,
  which expects a JSON string. Serialised here.

After ``create_stack`` (moto reports CREATE_COMPLETE but left these out):
- S3 ``NotificationConfiguration.EventBridgeConfiguration`` is not applied, so no S3 event would
  ever reach EventBridge: applied with ``put_bucket_notification_configuration`` (moto's
  ``get_bucket_notification_configuration`` still answers ``{}`` afterwards).
- S3 ``VersioningConfiguration`` is not applied (events would carry no ``version-id``), nor are
  ``PublicAccessBlockConfiguration`` and ``OwnershipControls``: applied with the S3 API.
- DynamoDB ``TimeToLiveSpecification`` and ``PointInTimeRecoverySpecification`` are not applied:
  applied with the DynamoDB API (moto does not expire items by TTL in any case).
- Not CloudFormation, but the events: moto's S3 -> EventBridge events carry raw keys and
  constant ids and sequencers, and a delete marker (a DELETE in a versioned bucket) sends no
  event at all; ``moto_fixes.apply()`` makes them AWS-shaped (see that module).
- The SQS event source mapping is created enabled, and moto then tries to invoke the function
  (in Docker) on every SendMessage to ExtractQueue: it is disabled, because the worker
  (``pagesift_local.worker``) is the poller. ``EventSourceConfig`` keeps its settings.

Left out, on purpose (moto enforces none of them; ``tests/unit/test_template.py`` guards them):
- Resource types moto's CloudFormation cannot create, which it skips with a warning on every
  stack read while reporting the stack complete: ``AWS::S3::BucketPolicy`` and
  ``AWS::SQS::QueuePolicy`` today (``AWS::CloudWatch::Alarm``, ``AWS::Lambda::EventInvokeConfig``
  if the template gets them). They are removed from what moto gets; a type other than these four
  is logged as a warning naming it.
- The role's managed policies (logs, SQS, X-Ray, added by SAM) are not attached; the function's
  ``TracingConfig`` reads back as PassThrough.

Failures: moto raises inside ``create_stack`` (a bare HTTP 500) rather than reporting
CREATE_FAILED, so for that one call its resource factory is wrapped to record which logical id
raised what, and ``start`` fails with that.

Also known:
- werkzeug logs every request of the server even with ``verbose=False``: its logger is set to
  WARNING unless the application gave it a level.
- moto delivers S3 events to the rules of every bus, not only the default one (harmless here: the
  DocumentsBus rules match ``source: pagesift`` only).
- Environment values that ``Ref`` a ``Number`` parameter come back as numbers: ``FunctionConfig``
  has them as strings, as Lambda does.
- The queue URLs in ``outputs`` carry the AWS host name; ``info()`` gives this server's.
- moto's state is per process, shared by all its servers: two stacks in one process need two
  stack names, and the last one to stop clears the state.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import re
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

from . import moto_fixes

log = logging.getLogger(__name__)

# moto keeps its state per process, shared by every server in it: see LocalStack.stop.
_live_lock = threading.Lock()
_live_stacks = 0

_DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# Resource types moto's CloudFormation cannot create that we know and accept (see the docstring).
_KNOWN_SKIPPED = {
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
}


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


# ------------------------------------------------------------------------- template loading


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation's short tags (!Ref, !GetAtt, !Sub...) into their
    long JSON form, which is what samtranslator and CloudFormation take."""


def _cfn_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):  # !GetAtt Res.Attr
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain JSON-like data (short intrinsic tags expanded)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_CfnLoader)


# ------------------------------------------------------------------------- the stack


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
    ) -> None:
        self.template_path = Path(template_path).resolve()
        self.region = region
        self.stack_name = stack_name
        self.parameters = {k: str(v) for k, v in (parameters or {}).items()}
        self.port = port
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
        from moto.server import ThreadedMotoServer  # heavy import, only when a stack starts

        template = load_template(self.template_path)
        _check_parameters(template.get("Parameters", {}), self.parameters)

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
        return boto3.client(
            service_name, endpoint_url=self.endpoint_url, region_name=self.region, **_DUMMY_CREDENTIALS
        )

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
        cfn = self._transform(template)
        self._create_stack(cfn)
        self._fill_moto_gaps(cfn)

        cfn_client = self.client("cloudformation")
        stack = cfn_client.describe_stacks(StackName=self.stack_name)["Stacks"][0]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

        # Read the functions back from moto, which resolved every Ref/GetAtt of their environments.
        lam = self.client("lambda")
        configs = {}
        for name in self._functions:
            fn = lam.get_function_configuration(FunctionName=self._physical_id(name))
            configs[name] = FunctionConfig(
                code_dir=(self.template_path.parent / code_uri).resolve(),
                handler=fn["Handler"],
                # Lambda's environment values are strings; moto keeps numbers from Number parameters.
                environment={k: str(v) for k, v in fn.get("Environment", {}).get("Variables", {}).items()},
                timeout=int(fn["Timeout"]),
                memory_size=int(fn["MemorySize"]),
                name=self._physical_id(name),
            )
        self.function = configs["ExtractFunction"]
        self.archive_function = configs.get("ArchiveFunction")

        sqs = self.client("sqs")
        self.event_sources = {}
        for name in self._functions:
            for esm in self._queue_mappings(name):
                queue_name = esm["EventSourceArn"].rsplit(":", 1)[1]
                url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
                self.event_sources[url] = EventSourceConfig(
                    queue_url=url,
                    batch_size=int(esm.get("BatchSize", 10)),
                    batching_window_seconds=int(esm.get("MaximumBatchingWindowInSeconds", 0)),
                    maximum_concurrency=(esm.get("ScalingConfig") or {}).get("MaximumConcurrency"),
                    report_batch_item_failures="ReportBatchItemFailures" in esm.get("FunctionResponseTypes", []),
                )
        extract_url = local_queue_url(sqs, self.outputs["ExtractQueueUrl"])
        self.event_source = self.event_sources[extract_url]
        # The archive queue's (docs/archives.md), when the template has one.
        archive_url = local_queue_url(sqs, self.outputs["ArchiveQueueUrl"]) if "ArchiveQueueUrl" in self.outputs else None
        self.archive_source = self.event_sources.get(archive_url) if archive_url else None

        self._info = {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "input_bucket": self.outputs["InputBucketName"],
            "documents_bucket": self.outputs["DocumentsBucketName"],
            "event_bus": self.outputs["EventBusName"],
            "extract_queue_url": self.event_source.queue_url,
            "extract_dlq_url": local_queue_url(sqs, self.outputs["ExtractDLQUrl"]),
            "index_queue_url": local_queue_url(sqs, self.outputs["IndexQueueUrl"]),
            **({"archive_queue_url": self.archive_source.queue_url,
                "archive_dlq_url": local_queue_url(sqs, self.outputs["ArchiveDLQUrl"])} if self.archive_source else {}),
            "state_table": self.outputs["StateTableName"],
        }

    def _transform(self, template: dict[str, Any]) -> dict[str, Any]:
        """SAM -> plain CloudFormation, with the template adapted where moto needs it."""
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator

        # The translator reads the region from a boto3 session: give it one (no env needed).
        session = boto3.Session(region_name=self.region, **_DUMMY_CREDENTIALS)
        cfn = Translator(None, Parser(), boto_session=session).translate(
            template,
            parameter_values=dict(self.parameters),
            # Only needed for managed policies named in Policies (we name none): no IAM call.
            get_managed_policy_map=lambda: {},
        )

        # moto gap: resource types its CloudFormation cannot create are skipped with a warning on
        # every stack read. Leave them out of what moto gets, and say so once.
        from moto.cloudformation.parsing import NULL_MODELS, get_model_map

        supported = set(get_model_map()) | set(NULL_MODELS)
        for logical_id, resource in list(cfn["Resources"].items()):
            if resource["Type"] not in supported:
                del cfn["Resources"][logical_id]
                level = logging.DEBUG if resource["Type"] in _KNOWN_SKIPPED else logging.WARNING
                log.log(level, "moto cannot create %s (%s): left out of the local stack", logical_id, resource["Type"])
        for resource in cfn["Resources"].values():
            if isinstance(resource.get("DependsOn"), list):
                resource["DependsOn"] = [d for d in resource["DependsOn"] if d in cfn["Resources"]]
            elif resource.get("DependsOn") not in (None, *cfn["Resources"]):
                del resource["DependsOn"]

        # moto gap: it resolves the Ref of a Number parameter to an int, then FindInMap fails
        # (KeyError: 60). CloudFormation passes parameters as strings: resolve these lookups here.
        values = {
            name: str(self.parameters.get(name, spec.get("Default", "")))
            for name, spec in cfn.get("Parameters", {}).items()
        }
        cfn["Resources"] = _resolve_find_in_map(cfn["Resources"], cfn.get("Mappings", {}), values)

        # moto gap: AWS::Events::Archive takes EventPattern as a JSON object (as AWS documents it)
        # but moto json.loads() it and crashes; CloudFormation accepts the string form too.
        # moto gap: the name it generates for an archive ("<stack>-<logical id>-<suffix>") can
        # exceed the 48 characters archives allow, and the stack then fails; CloudFormation
        # keeps generated names within limits. Named here, within the limit.
        for logical_id, resource in cfn["Resources"].items():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::Events::Archive":
                if isinstance(props.get("EventPattern"), dict):
                    props["EventPattern"] = json.dumps(props["EventPattern"])
                props.setdefault("ArchiveName", f"{self.stack_name[:30]}-{logical_id[:17]}")
        return cfn

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
            with _record_resource_failures(failures):
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
        created = self._created_resources()
        for logical_id, resource in cfn["Resources"].items():
            if logical_id not in created:
                log.warning("moto did not create %s (%s): it is missing locally", logical_id, resource["Type"])

    def _fill_moto_gaps(self, cfn: dict[str, Any]) -> None:
        """Apply what moto's CloudFormation left out, from the template's own (literal) properties."""
        s3 = self.client("s3")
        ddb = self.client("dynamodb")
        for logical_id, resource in cfn["Resources"].items():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::S3::Bucket":
                bucket = self._physical_id(logical_id)
                # moto gap: EventBridgeConfiguration is ignored, so S3 would send no event at all.
                if "EventBridgeConfiguration" in props.get("NotificationConfiguration", {}):
                    s3.put_bucket_notification_configuration(
                        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
                    )
                # moto gap: versioning is ignored, and events would carry no version-id.
                if "VersioningConfiguration" in props:
                    s3.put_bucket_versioning(
                        Bucket=bucket, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]}
                    )
                # moto gap: public access block and ownership controls are ignored.
                if "PublicAccessBlockConfiguration" in props:
                    s3.put_public_access_block(
                        Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
                    )
                if "OwnershipControls" in props:
                    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
            elif resource["Type"] == "AWS::DynamoDB::Table":
                table = self._physical_id(logical_id)
                # moto gap: TTL and point-in-time recovery are ignored.
                ttl = props.get("TimeToLiveSpecification")
                if ttl:
                    ddb.update_time_to_live(
                        TableName=table,
                        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl["Enabled"])},
                    )
                pitr = props.get("PointInTimeRecoverySpecification")
                if pitr:
                    ddb.update_continuous_backups(
                        TableName=table,
                        PointInTimeRecoverySpecification={
                            "PointInTimeRecoveryEnabled": bool(pitr["PointInTimeRecoveryEnabled"])
                        },
                    )

        # moto gap (on purpose): an enabled SQS event source mapping makes moto invoke the function
        # in Docker on every SendMessage to the queue. The worker is the poller: disable them.
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


@contextlib.contextmanager
def _record_resource_failures(failures: list[str]) -> Iterator[None]:
    """moto raises inside create_stack (an HTTP 500 with a bare "Internal Server Error") instead of
    reporting CREATE_FAILED. For the duration of the call, record which resource raised what."""
    from moto.cloudformation import parsing

    original = parsing.parse_and_create_resource

    def recording(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(logical_id, resource_json, *args, **kwargs)
        except Exception as exc:
            failures.append(f"{logical_id} ({resource_json.get('Type')}): {type(exc).__name__}: {exc}")
            raise

    parsing.parse_and_create_resource = recording
    try:
        yield
    finally:
        parsing.parse_and_create_resource = original


def _resolve_find_in_map(node: Any, mappings: dict[str, Any], parameters: dict[str, str]) -> Any:
    """Replace each Fn::FindInMap whose keys are literals or parameter Refs by its value."""
    if isinstance(node, list):
        return [_resolve_find_in_map(v, mappings, parameters) for v in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Fn::FindInMap"}:
        map_name, *keys = node["Fn::FindInMap"]
        value: Any = mappings[map_name]
        for key in keys:
            if isinstance(key, dict) and set(key) == {"Ref"} and key["Ref"] in parameters:
                key = parameters[key["Ref"]]
            if not isinstance(key, str):
                return node  # something else (a resource attribute...): leave it to moto
            if key not in value:
                raise ValueError(f"Fn::FindInMap {node['Fn::FindInMap']}: no key {key!r} in {map_name}")
            value = value[key]
        return value
    return {k: _resolve_find_in_map(v, mappings, parameters) for k, v in node.items()}


def _check_parameters(specs: dict[str, Any], values: dict[str, str]) -> None:
    """Validate parameter values as CloudFormation does; moto checks none of these constraints."""
    unknown = set(values) - set(specs)
    if unknown:
        raise ValueError(f"unknown template parameters: {sorted(unknown)} (known: {sorted(specs)})")
    for name, value in values.items():
        spec = specs[name]
        allowed = [str(v) for v in spec.get("AllowedValues", [])]
        problem = None
        if allowed and value not in allowed:
            problem = f"not one of {allowed}"
        elif "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
            problem = f"does not match {spec['AllowedPattern']}"
        elif spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                problem = "not a number"
            else:
                if "MinValue" in spec and number < float(spec["MinValue"]):
                    problem = f"below {spec['MinValue']}"
                elif "MaxValue" in spec and number > float(spec["MaxValue"]):
                    problem = f"above {spec['MaxValue']}"
        if problem:
            raise ValueError(f"parameter {name}={value!r}: {problem}")
