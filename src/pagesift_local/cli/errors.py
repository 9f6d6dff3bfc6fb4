"""What a command that failed says: one line naming what failed and what to do, and its exit
code. Errors of the AWS SDK are named by their class, so that a command that never imported
botocore (``pagesift extract``) does not import it to fail."""

from __future__ import annotations

import sys
from typing import Any

from pagesift_local.errors import CommandError

LOCAL_HINT = "is the local stack running (`pagesift local up`)?"
CREDENTIALS_HINT = "run `aws configure` or set AWS_PROFILE, or pass --endpoint-url for the local stack"


def explain(error: BaseException) -> tuple[str, int] | None:
    """(one line, exit code) for an error that is the user's to fix, or None for a bug."""
    if isinstance(error, CommandError):
        return _one_line(str(error)), error.exit_code
    if isinstance(error, OSError) and error.filename is not None:  # a file named on the command line
        return _one_line(f"{error.filename}: {error.strerror}"), 1
    if isinstance(error, ValueError) and str(error).startswith("Invalid endpoint"):  # botocore's, for --endpoint-url
        return _one_line(f"{error}: give it as http://host:port (what `pagesift local up` prints)"), 2
    botocore = sys.modules.get("botocore.exceptions")
    if botocore is None or not isinstance(error, botocore.BotoCoreError | botocore.ClientError):
        return None
    if isinstance(error, botocore.ClientError):
        return _one_line(_client_error(error)), 1
    return _one_line(_sdk_error(error, botocore)), 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sdk_error(error: Exception, botocore: Any) -> str:
    """An error of the SDK itself: no region, no credentials, no answer."""
    if isinstance(error, botocore.NoRegionError):
        return "no AWS region: pass --region, set AWS_DEFAULT_REGION, or run `aws configure`"
    if isinstance(error, botocore.NoCredentialsError | botocore.PartialCredentialsError):
        return f"no AWS credentials found: {CREDENTIALS_HINT}"
    if isinstance(error, botocore.TokenRetrievalError | botocore.SSOError):
        return f"the AWS credentials could not be refreshed ({error}): run `aws sso login` or {CREDENTIALS_HINT}"
    if isinstance(error, botocore.EndpointConnectionError | botocore.ConnectTimeoutError):
        endpoint = getattr(error, "kwargs", {}).get("endpoint_url", "the endpoint")
        return f"cannot reach {endpoint}: check the network, or, for --endpoint-url, {LOCAL_HINT}"
    if isinstance(error, botocore.ParamValidationError):
        return f"a value AWS does not take: {error}"
    return f"the AWS SDK failed: {error}"


def _client_error(error: Any) -> str:
    """An answer of AWS that refuses the call, with the operation it refused."""
    details = error.response.get("Error", {})
    code, message = details.get("Code", "?"), details.get("Message") or ""
    operation = error.operation_name
    if code == "NoSuchBucket" or (code == "404" and "Bucket" in operation):
        name = details.get("BucketName")
        return f"no such bucket{f' {name!r}' if name else ''} ({operation}): check the name, the region and the account"
    if code in ("AccessDenied", "AccessDeniedException", "403", "UnauthorizedOperation", "Forbidden"):
        return f"access denied to {operation}: {message or 'the credentials may not do this'}; check their IAM policy"
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return f"the AWS credentials have expired: refresh them ({CREDENTIALS_HINT})"
    if code in ("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"):
        return f"AWS does not accept these credentials ({code}): {CREDENTIALS_HINT}"
    if code == "ValidationError" and "does not exist" in message:
        return f"{message}: check --stack and --region (the stack is deployed with `sam deploy`)"
    if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException"):
        return f"{operation}: {message or code}: is the stack deployed in this region (--region)?"
    return f"{operation} failed: {code}: {message}"
