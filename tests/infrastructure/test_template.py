"""Guards on template.yaml: the properties that must never loosen (least privilege, encryption,
TLS, dead letters, queue timing, partial batch failures) and the contracts others build on
(function environment, outputs). Plus cfn-lint, with no finding."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.decode import decode_str

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"

SIX_TIMES = 6  # AWS: source queue visibility timeout >= 6x the function timeout
FOURTEEN_DAYS = 1209600


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    tpl, matches = decode_str(TEMPLATE_PATH.read_text(encoding="utf-8"))
    assert not matches, matches
    return tpl


_NO_VALUE = object()


def resolve_conditions(node: Any, conditions: dict[str, bool]) -> Any:
    """The template as CloudFormation sees it for given condition values: Fn::If picks its
    branch and AWS::NoValue disappears, so that properties can be checked for each setting."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, when_true, when_false = node["Fn::If"]
            return resolve_conditions(when_true if conditions[name] else when_false, conditions)
        if node == {"Ref": "AWS::NoValue"}:
            return _NO_VALUE
        resolved = {k: resolve_conditions(v, conditions) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
    if isinstance(node, list):
        return [v for v in (resolve_conditions(v, conditions) for v in node) if v is not _NO_VALUE]
    return node


CREATED_INPUT = {"CreateInputBucket": True, "UseExistingInputBucket": False}
EXISTING_INPUT = {"CreateInputBucket": False, "UseExistingInputBucket": True}
# Every setting of the encryption, alarm and input bucket parameters must keep the guarantees.
SETTINGS = [
    {"UseKms": False, "HasAlarmTopic": False, "HasInputBucketName": False, "HasDocumentsBucketName": False, **CREATED_INPUT},
    {"UseKms": True, "HasAlarmTopic": True, "HasInputBucketName": True, "HasDocumentsBucketName": True, **CREATED_INPUT},
    {"UseKms": False, "HasAlarmTopic": False, "HasInputBucketName": False, "HasDocumentsBucketName": False, **EXISTING_INPUT},
]


@pytest.fixture(scope="module", params=SETTINGS, ids=["defaults", "kms-and-alarm-topic", "existing-input-bucket"])
def setting(request: pytest.FixtureRequest) -> dict[str, bool]:
    return request.param


def resolve_resources(template: dict[str, Any], conditions: dict[str, bool]) -> dict[str, Any]:
    """The resources CloudFormation creates for given condition values (a resource whose
    Condition is false is not created), each resolved."""
    created = {k: v for k, v in template["Resources"].items() if conditions.get(v.get("Condition", ""), True)}
    return resolve_conditions(created, conditions)


@pytest.fixture(scope="module")
def resources(template: dict[str, Any], setting: dict[str, bool]) -> dict[str, Any]:
    return resolve_resources(template, setting)


@pytest.fixture(scope="module")
def transformed(template: dict[str, Any]) -> dict[str, Any]:
    """The template after the SAM transform (what CloudFormation deploys)."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    tpl = copy.deepcopy(template)
    # The translator wants the code in S3 (sam package puts it there); the location is irrelevant.
    for function in ("ExtractFunction", "ArchiveFunction"):
        tpl["Resources"][function]["Properties"]["CodeUri"] = "s3://bucket/extract.zip"
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    translated = Translator(None, Parser(), boto_session=session).translate(
        tpl, parameter_values={}, get_managed_policy_map=lambda: {}
    )
    return resolve_conditions(translated, SETTINGS[1])


def of_type(resources: dict[str, Any], type_: str) -> dict[str, Any]:
    return {k: v for k, v in resources.items() if v["Type"] == type_}


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return resources[logical_id].get("Properties", {})


def referenced_ids(value: Any) -> set[str]:
    """Logical ids (resources or parameters) an intrinsic expression refers to."""
    if isinstance(value, list):
        return set().union(*(referenced_ids(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    if "Ref" in value:
        return {value["Ref"]}
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return {target[0] if isinstance(target, list) else target.split(".")[0]}
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        names = {part.split("}")[0].split(".")[0] for part in text.split("${")[1:]}
        return {n for n in names if not n.startswith("AWS::")}
    return set().union(*(referenced_ids(v) for v in value.values()))


def statements(node: Any) -> list[dict[str, Any]]:
    """Every IAM policy statement anywhere below node."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                found.extend(value if isinstance(value, list) else [value])
            else:
                found.extend(statements(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(statements(value))
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------------- lint


def test_cfn_lint_reports_nothing() -> None:
    # Same interpreter as the tests (its cfn-lint and aws-sam-translator), whatever PATH says.
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


# ------------------------------------------------------------------------- least privilege


def test_every_policy_statement_names_its_resources(resources: dict[str, Any]) -> None:
    all_statements = statements(resources)
    assert len(all_statements) >= 6  # the function's, the bucket policies, the queue policies
    for statement in all_statements:
        assert "NotResource" not in statement and "NotAction" not in statement, statement
        if "Resource" not in statement:  # a trust policy: who may assume the role
            # Lambda (the function's role) or S3 Batch Operations (pagesift backfill's jobs)
            assert statement["Action"] == "sts:AssumeRole" and statement["Principal"] in (
                {"Service": "lambda.amazonaws.com"}, {"Service": "batchoperations.s3.amazonaws.com"})
            continue
        if statement["Resource"] == "*":
            # X-Ray has no resource-level permissions: the only "*" allowed, for its actions alone
            assert all(action.startswith("xray:") for action in as_list(statement["Action"])), statement
            continue
        for resource in as_list(statement["Resource"]):
            # Never "*" or a literal ARN: each resource is one of this template's, by reference
            # (or the KMS key the operator names as a parameter).
            assert isinstance(resource, dict), f"literal resource {resource!r} in {statement}"
            assert referenced_ids(resource) & (set(resources) | {"KmsKeyArn", "ExistingInputBucketName"}), statement
        for action in as_list(statement["Action"]):
            if statement["Effect"] == "Allow":
                assert "*" not in action, f"wildcard action {action!r} in {statement}"


def test_function_writes_only_under_the_documents_prefix(resources: dict[str, Any]) -> None:
    policy = statements(props(resources, "ExtractFunctionRole")["Policies"])
    writers = [s for s in policy if {"s3:PutObject", "s3:DeleteObject"} & set(as_list(s["Action"]))]
    assert writers
    for statement in writers:
        for resource in as_list(statement["Resource"]):
            assert resource == {"Fn::Sub": "${DocumentsBucket.Arn}/${DocumentsPrefix}*"}, statement
    # Nothing may write to the input bucket: no recursive invocation.
    for statement in policy:
        if {"InputBucket", "ExistingInputBucketName"} & referenced_ids(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}


def test_the_function_has_its_own_role_with_no_managed_policy(resources: dict[str, Any], transformed: dict[str, Any]) -> None:
    # SAM's generated role would attach AWSLambdaSQSQueueExecutionRole, AWSLambdaBasicExecutionRole
    # and AWSXrayWriteOnlyAccess, each on Resource "*": the explicit role names the queue and the
    # log group instead.
    assert props(resources, "ExtractFunction")["Role"] == {"Fn::GetAtt": ["ExtractFunctionRole", "Arn"]}
    assert "Policies" not in props(resources, "ExtractFunction")
    role = transformed["Resources"]["ExtractFunctionRole"]["Properties"]
    assert "ManagedPolicyArns" not in role
    by_sid = {statement.get("Sid"): statement for statement in statements(role["Policies"])}
    assert by_sid["ConsumeExtractQueue"]["Resource"] == [{"Fn::GetAtt": ["ExtractQueue", "Arn"]}, {"Fn::GetAtt": ["ArchiveQueue", "Arn"]}]
    assert by_sid["SendArchiveTasks"]["Resource"] == {"Fn::GetAtt": ["ArchiveQueue", "Arn"]}
    assert by_sid["WriteLogs"]["Resource"] == {"Fn::GetAtt": ["ExtractFunctionLogGroup", "Arn"]}
    assert set(as_list(by_sid["WriteTraces"]["Action"])) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_listing_is_limited_to_the_prefixes(resources: dict[str, Any]) -> None:
    listing = {s["Sid"]: s for s in statements(props(resources, "ExtractFunctionRole")["Policies"]) if "s3:ListBucket" in as_list(s["Action"])}
    assert listing["ListInputBucket"]["Condition"] == {"StringLikeIfExists": {"s3:prefix": {"Fn::Sub": "${InputPrefix}*"}}}
    assert listing["ListDocumentsBucket"]["Condition"] == {"StringLikeIfExists": {"s3:prefix": {"Fn::Sub": "${DocumentsPrefix}*"}}}


# ------------------------------------------------------------------------- buckets


def test_buckets_block_public_access_encrypt_and_enforce_ownership(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    buckets = of_type(resources, "AWS::S3::Bucket")
    # An existing input bucket is its owners': the stack creates the documents bucket alone.
    assert set(buckets) == ({"InputBucket", "DocumentsBucket"} if setting["CreateInputBucket"] else {"DocumentsBucket"})
    for logical_id in buckets:
        p = props(resources, logical_id)
        assert p["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        rules = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rules, logical_id
        for rule in rules:
            default = rule["ServerSideEncryptionByDefault"]
            if setting["UseKms"]:  # the customer key given as a parameter
                assert default == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "KmsKeyArn"}}, logical_id
            else:  # SSE-S3 by default
                assert default == {"SSEAlgorithm": "AES256"}, logical_id
        assert p["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], logical_id


def test_buckets_deny_requests_without_tls(resources: dict[str, Any]) -> None:
    policies = of_type(resources, "AWS::S3::BucketPolicy")
    for bucket in of_type(resources, "AWS::S3::Bucket"):
        mine = [p["Properties"] for p in policies.values() if p["Properties"]["Bucket"] == {"Ref": bucket}]
        assert len(mine) == 1, bucket
        denies = [
            s
            for s in mine[0]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny"
            and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            and s["Principal"] == "*"
            and as_list(s["Action"]) == ["s3:*"]
        ]
        assert len(denies) == 1, bucket
        assert as_list(denies[0]["Resource"]) == [
            {"Fn::GetAtt": [bucket, "Arn"]},
            {"Fn::Sub": f"${{{bucket}.Arn}}/*"},
        ], bucket


def test_input_bucket_is_versioned_and_notifies_eventbridge(template: dict[str, Any]) -> None:
    p = props(resolve_resources(template, SETTINGS[0]), "InputBucket")
    assert p["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    assert p["VersioningConfiguration"]["Status"] == "Enabled"


def test_the_created_input_bucket_expires_noncurrent_versions_and_abandoned_uploads(template: dict[str, Any]) -> None:
    rules = {r["Id"]: r for r in props(resolve_resources(template, SETTINGS[0]), "InputBucket")["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireNoncurrentVersions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": {"Ref": "NoncurrentVersionExpirationDays"}}
    assert rules["AbortIncompleteMultipartUploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] > 0
    assert all(rule["Status"] == "Enabled" and "Filter" not in rule and "Prefix" not in rule for rule in rules.values())
    days = template["Parameters"]["NoncurrentVersionExpirationDays"]
    assert days["Default"] == 30 and days["MinValue"] >= 1


def test_an_existing_input_bucket_is_watched_and_not_created(template: dict[str, Any]) -> None:
    resources = resolve_resources(template, SETTINGS[2])
    assert "InputBucket" not in resources and "InputBucketPolicy" not in resources
    # Nothing the stack creates refers to a bucket it did not create.
    assert all("InputBucket" not in referenced_ids(resource) for resource in resources.values())
    pattern = props(resources, "InputEventsRule")["EventPattern"]
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": "ExistingInputBucketName"}]
    assert pattern["detail"]["object"]["key"] == [{"wildcard": {"Fn::Sub": "${InputPrefix}*${InputSuffix}"}}]
    by_sid = {s["Sid"]: s for s in statements(props(resources, "ExtractFunctionRole")["Policies"])}
    existing = "arn:${AWS::Partition}:s3:::${ExistingInputBucketName}"
    assert by_sid["ReadInputObjects"]["Resource"] == {"Fn::Sub": existing + "/${InputPrefix}*"}
    assert by_sid["ListInputBucket"]["Resource"] == {"Fn::Sub": existing}
    assert by_sid["ListInputBucket"]["Condition"] == {"StringLikeIfExists": {"s3:prefix": {"Fn::Sub": "${InputPrefix}*"}}}
    env = resolve_conditions(template["Globals"], SETTINGS[2])["Function"]["Environment"]["Variables"]
    assert env["INPUT_BUCKET"] == {"Ref": "ExistingInputBucketName"}
    # The Batch Operations role reads no input object (the function does): nothing of the input bucket in it.
    assert not {"InputBucket", "ExistingInputBucketName"} & referenced_ids(props(resources, "BatchOperationsRole"))


def test_the_outputs_say_which_bucket_is_watched(template: dict[str, Any]) -> None:
    for setting, bucket, created in ((SETTINGS[0], {"Ref": "InputBucket"}, "true"), (SETTINGS[2], {"Ref": "ExistingInputBucketName"}, "false")):
        outputs = resolve_conditions(template["Outputs"], setting)
        assert outputs["InputBucketName"]["Value"] == bucket
        assert outputs["InputBucketCreatedByStack"]["Value"] == created
        assert outputs["WatchedInput"]["Value"] == {"Fn::Sub": ["s3://${Bucket}/${InputPrefix}", {"Bucket": bucket}]}


def test_an_input_bucket_is_created_or_existing_never_both(template: dict[str, Any]) -> None:
    conditions = template["Conditions"]
    assert conditions["CreateInputBucket"] == {"Fn::Equals": [{"Ref": "ExistingInputBucketName"}, ""]}
    assert conditions["UseExistingInputBucket"] == {"Fn::Not": [conditions["CreateInputBucket"]]}
    for logical_id in ("InputBucket", "InputBucketPolicy"):
        assert template["Resources"][logical_id]["Condition"] == "CreateInputBucket"
    [assertion] = template["Rules"]["OneInputBucket"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "InputBucketName"}, ""]}


# ------------------------------------------------------------------------- queues


def test_extract_queue_visibility_is_six_times_every_allowed_timeout(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    allowed = template["Parameters"]["FunctionTimeout"]["AllowedValues"]
    assert str(template["Parameters"]["FunctionTimeout"]["Default"]) in {str(v) for v in allowed}
    lookup = props(resources, "ExtractQueue")["VisibilityTimeout"]["Fn::FindInMap"]
    assert lookup[1] == {"Ref": "FunctionTimeout"}
    table = template["Mappings"][lookup[0]]
    for timeout in allowed:
        visibility = int(table[str(timeout)][lookup[2]])
        assert visibility >= SIX_TIMES * int(timeout), (timeout, visibility)
        assert visibility <= 43200  # the SQS maximum


def test_queues_are_encrypted_and_dead_letter_to_a_14_day_queue(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    queues = of_type(resources, "AWS::SQS::Queue")
    dlqs = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q.get("Properties", {})
    }
    assert dlqs == {"ExtractDLQ", "IndexDLQ", "ArchiveDLQ"}
    for logical_id, queue in queues.items():
        p = queue.get("Properties", {})
        if setting["UseKms"]:
            assert p["KmsMasterKeyId"] == {"Ref": "KmsKeyArn"} and "SqsManagedSseEnabled" not in p, logical_id
        else:
            assert p["SqsManagedSseEnabled"] is True and "KmsMasterKeyId" not in p, logical_id
        if logical_id in dlqs:
            assert p["MessageRetentionPeriod"] == FOURTEEN_DAYS, logical_id
        else:
            assert p["RedrivePolicy"]["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}, logical_id
            # A dead-lettered message keeps its first enqueue time: the DLQ must keep it longer.
            assert p.get("MessageRetentionPeriod", 345600) < FOURTEEN_DAYS, logical_id


def rule_destinations(rule: dict[str, Any]) -> set[str]:
    """Queues a rule sends to: its targets and their dead-letter queues."""
    arns = [t["Arn"] for t in rule["Properties"]["Targets"]]
    arns += [t["DeadLetterConfig"]["Arn"] for t in rule["Properties"]["Targets"] if "DeadLetterConfig" in t]
    return {arn["Fn::GetAtt"][0] for arn in arns}


def test_queue_policies_let_only_their_rule_send(resources: dict[str, Any]) -> None:
    rules = of_type(resources, "AWS::Events::Rule")
    covered: set[str] = set()
    for policy in of_type(resources, "AWS::SQS::QueuePolicy").values():
        queues = {q["Ref"] for q in policy["Properties"]["Queues"]}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            assert statement["Principal"] == {"Service": "events.amazonaws.com"}
            assert as_list(statement["Action"]) == ["sqs:SendMessage"]
            assert {r["Fn::GetAtt"][0] for r in as_list(statement["Resource"])} == queues
            source = statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0]
            assert queues <= rule_destinations(rules[source]), (queues, source)
        covered |= queues
    # Every queue a rule sends to has its policy.
    assert set().union(*(rule_destinations(rule) for rule in rules.values())) <= covered


# ------------------------------------------------------------------------- wiring


def test_input_rule_takes_object_changes_of_the_input_bucket(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    rule = props(resources, "InputEventsRule")
    assert "EventBusName" not in rule  # S3 publishes to the default bus
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.s3"]
    assert sorted(pattern["detail-type"]) == ["Object Created", "Object Deleted"]
    bucket = "ExistingInputBucketName" if setting["UseExistingInputBucket"] else "InputBucket"
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": bucket}]
    # Only keys under InputPrefix (and ending with InputSuffix) reach the queue.
    assert pattern["detail"]["object"]["key"] == [{"wildcard": {"Fn::Sub": "${InputPrefix}*${InputSuffix}"}}]
    assert [t["Arn"] for t in rule["Targets"]] == [{"Fn::GetAtt": ["ExtractQueue", "Arn"]}]
    assert rule["Targets"][0]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ExtractDLQ", "Arn"]}


def test_index_rule_takes_pagesift_events_of_the_documents_bus(resources: dict[str, Any]) -> None:
    rule = props(resources, "IndexRule")
    assert rule["EventBusName"] == {"Fn::GetAtt": ["DocumentsBus", "Name"]}
    assert rule["EventPattern"] == {"source": ["pagesift"]}
    assert [t["Arn"] for t in rule["Targets"]] == [{"Fn::GetAtt": ["IndexQueue", "Arn"]}]
    archive = props(resources, "DocumentsArchive")
    assert archive["SourceArn"] == {"Fn::GetAtt": ["DocumentsBus", "Arn"]}


def test_sqs_event_source_reports_batch_item_failures(resources: dict[str, Any]) -> None:
    def sources(function: str) -> dict[str, Any]:
        events = props(resources, function)["Events"]
        return {e["Properties"]["Queue"]["Fn::GetAtt"][0]: e["Properties"] for e in events.values() if e["Type"] == "SQS"}

    extract, archive = sources("ExtractFunction"), sources("ArchiveFunction")
    assert set(extract) == {"ExtractQueue"} and set(archive) == {"ArchiveQueue"}
    for source in (*extract.values(), *archive.values()):
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert extract["ExtractQueue"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "MaxConcurrency"}
    assert extract["ExtractQueue"]["BatchSize"] == {"Ref": "BatchSize"}
    # A step of an archive's run (a range: up to ArchiveRangePages pages) is an invocation's work.
    assert archive["ArchiveQueue"]["BatchSize"] == 1
    assert archive["ArchiveQueue"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "ArchiveConcurrency"}


def test_the_archive_function_is_the_extract_functions_package_with_its_own_handler_a_vcpu_and_a_long_timeout(
    resources: dict[str, Any], template: dict[str, Any]
) -> None:
    extract, archive = props(resources, "ExtractFunction"), props(resources, "ArchiveFunction")
    for name in ("CodeUri", "Role", "LoggingConfig"):
        assert archive[name] == extract[name], name
    assert (extract["Handler"], archive["Handler"]) == ("extract.app.lambda_handler", "archive.app.lambda_handler")
    for function in ("extract", "archive"):
        assert (ROOT / "functions" / function / "app.py").is_file() and (ROOT / "functions" / function / "compose.py").is_file()
    # Shared settings are written once, in Globals.
    assert "Environment" not in template["Resources"]["ExtractFunction"]["Properties"]
    assert "Environment" not in template["Resources"]["ArchiveFunction"]["Properties"]
    assert archive.get("KmsKeyArn") == extract.get("KmsKeyArn")
    assert (archive["MemorySize"], archive["Timeout"]) == ({"Ref": "ArchiveFunctionMemorySize"}, {"Ref": "ArchiveFunctionTimeout"})
    assert template["Parameters"]["ArchiveFunctionMemorySize"]["Default"] == 1769
    assert template["Parameters"]["ArchiveFunctionTimeout"]["Default"] == 900
    assert resources["ArchiveFunction"]["Metadata"]["BuildMethod"] == "makefile"
    assert "build-ArchiveFunction:" in (ROOT / "functions" / "Makefile").read_text()
    # AWS asks for a visibility timeout of 6x the consuming function's timeout.
    assert props(resources, "ArchiveQueue")["VisibilityTimeout"] == {"Fn::FindInMap": ["TimeoutSettings", {"Ref": "ArchiveFunctionTimeout"}, "QueueVisibilityTimeout"]}


def test_max_concurrency_cannot_go_below_the_sqs_minimum(template: dict[str, Any]) -> None:
    assert int(template["Parameters"]["MaxConcurrency"]["MinValue"]) >= 2


def test_state_table(resources: dict[str, Any]) -> None:
    p = props(resources, "StateTable")
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert p["SSESpecification"]["SSEEnabled"] is True
    assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


# ------------------------------------------------------------------------- the function's contract


def test_runtime_is_the_python_the_project_and_the_artifact_are_built_for(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    # the local venv (requires-python) and the artifact's wheels (functions/Makefile) are the same
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.13,<3.14"' in pyproject
    makefile = (ROOT / "functions" / "Makefile").read_text()
    assert "RUNTIME_PYTHON_VERSION := 3.13\n" in makefile
    # Amazon Linux 2023's glibc, the ceiling of the wheels the Makefile takes
    assert "RUNTIME_GLIBC := 2_34\n" in makefile
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Tracing"] == "Active"
    for fn in of_type(resources, "AWS::Serverless::Function").values():
        assert fn["Properties"].get("Runtime", "python3.13") == "python3.13"


def test_the_artifact_is_built_for_the_functions_architecture(template: dict[str, Any], resources: dict[str, Any]) -> None:
    assert resources["ExtractFunction"]["Metadata"]["BuildMethod"] == "makefile"
    makefile = (ROOT / "functions" / "Makefile").read_text()
    assert "build-ExtractFunction:" in makefile
    default_arch = re.search(r"^LAMBDA_ARCH \?= (\S+)$", makefile, re.MULTILINE)
    assert default_arch and [default_arch.group(1)] == template["Globals"]["Function"]["Architectures"]


def test_function_environment_is_the_documented_one(template: dict[str, Any], resources: dict[str, Any]) -> None:
    fn = props(resources, "ExtractFunction")
    assert fn["CodeUri"] == "functions/" and (ROOT / fn["CodeUri"] / "extract" / "requirements.txt").is_file()
    assert fn["Handler"] == "extract.app.lambda_handler"
    env = {**template["Globals"]["Function"]["Environment"]["Variables"], **fn.get("Environment", {}).get("Variables", {})}
    # docs/contracts.md, "Configuration".
    assert set(env) == {
        "DOCUMENTS_BUCKET",
        "DOCUMENTS_PREFIX",
        "EVENT_BUS_NAME",
        "STATE_TABLE",
        "MAX_INPUT_BYTES",
        "EXTRACTION_BUDGET_SECONDS",
        "INPUT_BUCKET",
        "ARCHIVE_QUEUE_URL",
        "OUTPUT_MODE",
        "ARCHIVE_RANGE_PAGES",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "LOG_LEVEL",
    }
    assert env["DOCUMENTS_BUCKET"] == {"Ref": "DocumentsBucket"}
    assert env["STATE_TABLE"] == {"Ref": "StateTable"}
    assert env["INPUT_BUCKET"] == {"Fn::If": ["UseExistingInputBucket", {"Ref": "ExistingInputBucketName"}, {"Ref": "InputBucket"}]}
    # GetAtt Name, not Ref: moto resolves the Ref of an event bus to a Python repr.
    assert env["EVENT_BUS_NAME"] == {"Fn::GetAtt": ["DocumentsBus", "Name"]}
    assert env["POWERTOOLS_SERVICE_NAME"] == "pagesift"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Pagesift"


def test_log_group_has_retention(resources: dict[str, Any]) -> None:
    p = props(resources, "ExtractFunctionLogGroup")
    assert p["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${AWS::StackName}-extract"}
    assert p["RetentionInDays"]
    assert props(resources, "ExtractFunction")["LoggingConfig"] == {"LogGroup": {"Ref": "ExtractFunctionLogGroup"}}


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    expected = {
        "InputBucketName",
        "DocumentsBucketName",
        "DocumentsPrefix",
        "EventBusName",
        "EventBusArn",
        "ExtractQueueUrl",
        "ExtractQueueArn",
        "ExtractDLQUrl",
        "IndexQueueUrl",
        "IndexDLQUrl",
        "StateTableName",
        "ExtractFunctionName",
        "ExtractFunctionArn",
    }
    assert expected <= set(outputs)
    for name, output in outputs.items():
        assert output.get("Description"), name


# ------------------------------------------------------------------------- alarms


def test_alarms_watch_dead_letters_errors_and_queue_age(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    watched = {(props(resources, a)["Namespace"], props(resources, a)["MetricName"], json_dims(props(resources, a))) for a in alarms}
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "ExtractDLQ") in watched
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "IndexDLQ") in watched
    assert ("AWS/Lambda", "Errors", "ExtractFunction") in watched
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", "ExtractQueue") in watched
    for logical_id in alarms:
        p = props(resources, logical_id)
        if setting["HasAlarmTopic"]:
            assert p["AlarmActions"] == [{"Ref": "AlarmTopicArn"}], logical_id
        else:
            assert "AlarmActions" not in p, logical_id
        if p["MetricName"] == "ApproximateNumberOfMessagesVisible":
            assert p["Threshold"] == 0 and p["ComparisonOperator"] == "GreaterThanThreshold", logical_id


def json_dims(p: dict[str, Any]) -> str:
    [dimension] = p["Dimensions"]
    return sorted(referenced_ids(dimension["Value"]))[0]


def test_function_may_use_the_kms_key_only_when_one_is_given(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    kms = [s for s in statements(props(resources, "ExtractFunctionRole")["Policies"]) if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    if setting["UseKms"]:
        assert [s["Resource"] for s in kms] == [{"Ref": "KmsKeyArn"}]
    else:
        assert kms == []


def test_the_templates_defaults_are_the_codes(template: dict[str, Any]) -> None:
    from pagesift.config import DEFAULT_EXTRACTION_BUDGET_SECONDS
    from pagesift.contracts.document import DEFAULT_DOCUMENTS_PREFIX
    from pagesift.extraction.limits import DEFAULT_MAX_INPUT_BYTES

    parameters = template["Parameters"]
    assert parameters["MaxInputBytes"]["Default"] == DEFAULT_MAX_INPUT_BYTES
    assert parameters["ExtractionBudgetSeconds"]["Default"] == DEFAULT_EXTRACTION_BUDGET_SECONDS
    assert parameters["DocumentsPrefix"]["Default"] == DEFAULT_DOCUMENTS_PREFIX


# ------------------------------------------------------------------------- only what the code calls

# The IAM action each client call needs (HeadObject is authorised as GetObject).
_ACTION_OF_CALL = {
    ("s3", "head_object"): "s3:GetObject",
    ("s3", "get_paginator"): "s3:ListBucket",  # list_objects_v2, the only paginator the adapters use
    ("s3", "delete_objects"): "s3:DeleteObject",  # DeleteObjects is authorised per key as DeleteObject
    ("sqs", "send_message_batch"): "sqs:SendMessage",
}
# Granted though no call names it: without ListBucket, S3 answers a GetObject or HeadObject of a
# missing key with 403 instead of 404, and a page deleted before its event would look forbidden.
_IMPLICIT = {"s3:ListBucket"}
# Used by Lambda on the function's behalf: the SQS event source mapping, the runtime's logs and traces.
_BY_LAMBDA = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogStream", "logs:PutLogEvents",
              "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def called_actions() -> set[str]:
    """The AWS actions the function's code calls: pagesift's adapters (``self._s3.get_object(``...),
    read from source. (Powertools' logger, metrics and tracer call no AWS API: metrics go out as
    EMF log lines, traces through the X-Ray daemon.)"""
    calls = set()
    services = {"s3": "s3", "db": "dynamodb", "events": "events", "sqs": "sqs"}
    for path in (ROOT / "functions" / "pagesift" / "aws").glob("*.py"):
        for client, method in re.findall(r"self\._(s3|db|events|sqs)\.([a-z_]+)\(", path.read_text(encoding="utf-8")):
            calls.add((services[client], method))
    assert ("events", "put_events") in calls and ("dynamodb", "update_item") in calls  # the scan found them
    return {_ACTION_OF_CALL.get((service, method), f"{service}:{''.join(w.title() for w in method.split('_'))}") for service, method in calls}


def test_the_function_is_granted_exactly_the_actions_its_code_calls(resources: dict[str, Any]) -> None:
    granted = {
        action
        for statement in statements(props(resources, "ExtractFunctionRole")["Policies"])
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        if not action.startswith("kms:")  # the key's use follows from the encrypted resources
    }
    assert granted == called_actions() | _IMPLICIT | _BY_LAMBDA


def test_only_the_function_may_put_pagesift_events_on_the_documents_bus(resources: dict[str, Any]) -> None:
    [publish] = [s for s in statements(props(resources, "ExtractFunctionRole")["Policies"]) if "events:PutEvents" in as_list(s["Action"])]
    assert publish["Condition"] == {"StringEquals": {"events:source": "pagesift"}}
    policy = props(resources, "DocumentsBusPolicy")
    assert policy["EventBusName"] == {"Ref": "DocumentsBus"}
    statement = policy["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "events:PutEvents")
    assert statement["Condition"]["ArnNotEquals"] == {"aws:PrincipalArn": {"Fn::GetAtt": ["ExtractFunctionRole", "Arn"]}}
    # service principals (the archive's replays) carry no principal ARN and are not denied
    assert statement["Condition"]["Null"] == {"aws:PrincipalArn": "false"}


def test_the_kms_key_when_given_encrypts_the_log_group_and_the_state_table(resources: dict[str, Any], setting: dict[str, bool]) -> None:
    log_group, table = props(resources, "ExtractFunctionLogGroup"), props(resources, "StateTable")["SSESpecification"]
    if setting["UseKms"]:
        assert log_group["KmsKeyId"] == {"Ref": "KmsKeyArn"}
        assert (table["SSEType"], table["KMSMasterKeyId"]) == ("KMS", {"Ref": "KmsKeyArn"})
    else:
        assert "KmsKeyId" not in log_group and "SSEType" not in table and "KMSMasterKeyId" not in table


def test_every_checkov_finding_suppressed_in_the_template_says_why(template: dict[str, Any]) -> None:
    # `make test` runs checkov on the template; what it finds and does not apply is skipped in the
    # resource's Metadata, each with its reason beside it.
    skips = [(logical_id, skip) for logical_id, resource in template["Resources"].items()
             for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])]
    assert skips
    for logical_id, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]) and len(skip.get("comment", "")) > 30, (logical_id, skip)


def test_batch_operations_jobs_may_invoke_the_function_and_touch_only_their_own_files(resources: dict[str, Any]) -> None:
    role = props(resources, "BatchOperationsRole")
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "batchoperations.s3.amazonaws.com"}
    by_sid = {s["Sid"]: s for s in statements(role["Policies"])}
    assert by_sid["InvokeExtractFunction"]["Resource"] == {"Fn::GetAtt": ["ExtractFunction", "Arn"]}
    assert by_sid["ReadManifestsWriteReports"]["Resource"] == {"Fn::Sub": "${DocumentsBucket.Arn}/_pagesift/backfill/*"}
