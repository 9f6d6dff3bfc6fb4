"""What moto 5.2's CloudFormation does not do as AWS's does, filled in around ``create_stack``.

Each gap is filled explicitly below, next to a comment naming it:

Before ``create_stack`` (moto would fail on the template as AWS accepts it, or accept too much):
- Parameter values are checked against AllowedValues/AllowedPattern/MinValue/MaxValue, which
  moto ignores (e.g. it would take a FunctionTimeout missing from the TimeoutSettings mapping):
  ``pagesift_local.parameters``.
- ``CodeUri`` is a local folder, which only ``sam build``/``sam package`` turn into S3: it points at
  a stub zip uploaded to an artifacts bucket first (moto never runs it: no Docker here; the
  worker plays Lambda with the real code from ``FunctionConfig.code_dir``): ``pagesift_local.stack``.
- ``Fn::FindInMap`` keyed by a ``Number`` parameter: moto resolves the ``Ref`` to an int and the
  lookup fails (``KeyError: 60``); CloudFormation passes the string. Resolved here
  (with ``pagesift_local.parameters``).
- ``AWS::Events::Archive``: the name moto generates can pass the 48-character limit (the stack
  fails), so archives are named here within it.
- ``AWS::Events::Archive`` with an ``EventPattern`` object (the documented form) crashes moto,
  which expects a JSON string. Serialised here.

After ``create_stack`` (moto reports CREATE_COMPLETE but left these out):
- S3 ``NotificationConfiguration.EventBridgeConfiguration`` is not applied, so no S3 event would
  ever reach EventBridge: applied with ``put_bucket_notification_configuration`` (moto's
  ``get_bucket_notification_configuration`` answers it only as ``moto_fixes`` patches it).
- S3 ``VersioningConfiguration`` is not applied (events would carry no ``version-id``), nor are
  ``PublicAccessBlockConfiguration`` and ``OwnershipControls``: applied with the S3 API.
  ``LifecycleConfiguration`` is not applied either, and is left out: moto expires nothing.
- DynamoDB ``TimeToLiveSpecification`` and ``PointInTimeRecoverySpecification`` are not applied:
  applied with the DynamoDB API (moto does not expire items by TTL in any case).
- Not CloudFormation, but the events: moto's S3 -> EventBridge events carry raw keys and
  constant ids and sequencers, and a delete marker (a DELETE in a versioned bucket) sends no
  event at all; ``moto_fixes.apply()`` makes them AWS-shaped (see that module).
- The SQS event source mapping is created enabled, and moto then tries to invoke the function
  (in Docker) on every SendMessage to ExtractQueue: it is disabled (``pagesift_local.stack``),
  because the worker (``pagesift_local.worker``) is the poller. ``EventSourceConfig`` keeps its
  settings.

Left out, on purpose (moto enforces none of them; ``tests/infrastructure/test_template.py`` guards them):
- Resource types moto's CloudFormation cannot create, which it skips with a warning on every
  stack read while reporting the stack complete: ``AWS::S3::BucketPolicy``,
  ``AWS::SQS::QueuePolicy`` and ``AWS::Events::EventBusPolicy`` (the local stack has one account,
  so who may put events on the bus does not arise) today (``AWS::CloudWatch::Alarm``,
  ``AWS::Lambda::EventInvokeConfig`` if the template gets them). They are removed from what moto
  gets, said in the debug log (``--debug``); a type other than these five is logged as a warning
  naming it.
- A condition written ``!Not [!Condition Other]`` is not evaluated as AWS does (moto took
  ``CreateInputBucket``'s negation for true with every parameter empty): the template writes
  each condition from the parameters themselves.
- The template's ``Rules`` (InputBucketName and ExistingInputBucketName not both) are not
  checked: with both, the local stack watches the existing bucket.
- The role's managed policies (logs, SQS, X-Ray, added by SAM) are not attached; the function's
  ``TracingConfig`` reads back as PassThrough.

Failures: moto raises inside ``create_stack`` (a bare HTTP 500) rather than reporting
CREATE_FAILED, so for that one call its resource factory is wrapped to record which logical id
raised what, and the stack's ``start`` fails with that.

Also known:
- werkzeug logs every request of the server even with ``verbose=False``: its logger is set to
  WARNING unless the application gave it a level.
- moto delivers S3 events to the rules of every bus, not only the default one (harmless here: the
  DocumentsBus rules match ``source: pagesift`` only).
- Environment values that ``Ref`` a ``Number`` parameter come back as numbers: ``FunctionConfig``
  has them as strings, as Lambda does.
- The queue URLs in ``outputs`` carry the AWS host name; ``LocalStack.info()`` gives this server's.
- moto's state is per process, shared by all its servers: two stacks in one process need two
  stack names, and the last one to stop clears the state.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from .parameters import parameter_values, resolve_find_in_map

log = logging.getLogger(__name__)

# Resource types moto's CloudFormation cannot create that we know and accept (see the docstring).
KNOWN_SKIPPED = {
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Events::EventBusPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
}


def adapt_for_moto(cfn: dict[str, Any], parameters: dict[str, str], stack_name: str) -> dict[str, Any]:
    """The transformed template changed where moto would fail on it, or skip part of it (in place)."""
    _leave_out_unsupported(cfn)
    # moto gap: it resolves the Ref of a Number parameter to an int, then FindInMap fails
    # (KeyError: 60). CloudFormation passes parameters as strings: resolve these lookups here.
    values = parameter_values(cfn.get("Parameters", {}), parameters)
    cfn["Resources"] = resolve_find_in_map(cfn["Resources"], cfn.get("Mappings", {}), values)
    _name_event_archives(cfn, stack_name)
    return cfn


def _leave_out_unsupported(cfn: dict[str, Any]) -> None:
    """moto gap: resource types its CloudFormation cannot create are skipped with a warning on
    every stack read. Leave them out of what moto gets (and of what depends on them), and say so once."""
    # moto.cloudformation.parsing imports every moto backend (about 1.2 s): only a starting stack
    # pays it, not the commands and the worker that import pagesift_local.stack.
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    supported = set(get_model_map()) | set(NULL_MODELS)
    for logical_id, resource in list(cfn["Resources"].items()):
        if resource["Type"] not in supported:
            del cfn["Resources"][logical_id]
            level = logging.DEBUG if resource["Type"] in KNOWN_SKIPPED else logging.WARNING
            log.log(level, "moto cannot create %s (%s): left out of the local stack", logical_id, resource["Type"])
    for resource in cfn["Resources"].values():
        if isinstance(resource.get("DependsOn"), list):
            resource["DependsOn"] = [d for d in resource["DependsOn"] if d in cfn["Resources"]]
        elif resource.get("DependsOn") not in (None, *cfn["Resources"]):
            del resource["DependsOn"]


def _name_event_archives(cfn: dict[str, Any], stack_name: str) -> None:
    """moto gap: AWS::Events::Archive takes EventPattern as a JSON object (as AWS documents it)
    but moto json.loads() it and crashes; CloudFormation accepts the string form too.
    moto gap: the name it generates for an archive ("<stack>-<logical id>-<suffix>") can exceed
    the 48 characters archives allow, and the stack then fails; CloudFormation keeps generated
    names within limits. Named here, within the limit."""
    for logical_id, resource in cfn["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Events::Archive":
            if isinstance(props.get("EventPattern"), dict):
                props["EventPattern"] = json.dumps(props["EventPattern"])
            props.setdefault("ArchiveName", f"{stack_name[:30]}-{logical_id[:17]}")


@contextlib.contextmanager
def recorded_resource_failures(failures: list[str]) -> Iterator[None]:
    """moto raises inside create_stack (an HTTP 500 with a bare "Internal Server Error") instead of
    reporting CREATE_FAILED. For the duration of the call, record which resource raised what."""
    from moto.cloudformation import parsing  # about 1.2 s to import, as above

    original: Callable[..., Any] = parsing.parse_and_create_resource  # called and put back as is

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


def apply_after_create(cfn: dict[str, Any], s3: Any, dynamodb: Any, created: dict[str, str]) -> None:
    """Apply what moto's CloudFormation left out, from the template's own (literal) properties,
    to the resources it created (``created``: logical id -> physical id). A resource whose
    Condition is false (the input bucket, when the stack watches an existing one) is not there."""
    for logical_id, resource in cfn["Resources"].items():
        props, physical_id = resource.get("Properties", {}), created.get(logical_id)
        if not physical_id:
            continue
        if resource["Type"] == "AWS::S3::Bucket":
            _apply_bucket(s3, physical_id, props)
        elif resource["Type"] == "AWS::DynamoDB::Table":
            _apply_table(dynamodb, physical_id, props)


def _apply_bucket(s3: Any, bucket: str, props: dict[str, Any]) -> None:
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


def _apply_table(dynamodb: Any, table: str, props: dict[str, Any]) -> None:
    # moto gap: TTL and point-in-time recovery are ignored.
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl["Enabled"])},
        )
    pitr = props.get("PointInTimeRecoverySpecification")
    if pitr:
        dynamodb.update_continuous_backups(
            TableName=table,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": bool(pitr["PointInTimeRecoveryEnabled"])},
        )
