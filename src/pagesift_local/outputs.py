"""A deployed (or embedded) stack's outputs, which every command that reaches a stack reads
first: the queues, buckets and function it names."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pagesift_local.errors import CommandError


def stack_outputs(cloudformation: Any, stack_name: str, required: tuple[str, ...] = ()) -> dict[str, str]:
    """Output key → value; CommandError saying what to do when the stack, or one of the
    ``required`` outputs, is not there. Other refusals (access denied…) are raised as they are."""
    try:
        [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if error.response["Error"].get("Code") != "ValidationError":
            raise
        raise CommandError(
            f"no stack {stack_name!r} in this region: check --stack and --region "
            "(and --endpoint-url for `pagesift local up`)"
        ) from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [name for name in required if name not in outputs]
    if missing:
        raise CommandError(
            f"stack {stack_name!r} has no output {', '.join(missing)}: "
            "is it a pagesift stack, deployed from this version of template.yaml?"
        )
    return outputs
