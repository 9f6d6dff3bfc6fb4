"""``template.yaml`` as data: read with CloudFormation's short tags, and SAM-transformed into the
plain CloudFormation the embedded stack creates on moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import yaml


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


def to_cloudformation(
    template: dict[str, Any], parameters: dict[str, str], *, region: str, credentials: dict[str, str]
) -> dict[str, Any]:
    """SAM -> plain CloudFormation, as ``sam deploy``'s transform does it."""
    # samtranslator takes about 370 ms to import: only a starting stack pays it, not the commands
    # and the worker that import pagesift_local.stack for its configurations.
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # The translator reads the region from a boto3 session: give it one (no env needed).
    session = boto3.Session(region_name=region, **credentials)
    return Translator(None, Parser(), boto_session=session).translate(
        template,
        parameter_values=dict(parameters),
        # Only needed for managed policies named in Policies (we name none): no IAM call.
        get_managed_policy_map=lambda: {},
    )
