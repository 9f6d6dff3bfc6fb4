"""The template's parameters as CloudFormation treats them, where moto does not: their values
checked against the template's constraints, and ``Fn::FindInMap`` lookups keyed by them."""

from __future__ import annotations

import re
from typing import Any

from pagesift_local.errors import UsageError


def check_parameters(specs: dict[str, Any], values: dict[str, str]) -> None:
    """Validate parameter values as CloudFormation does; moto checks none of these constraints."""
    unknown = set(values) - set(specs)
    if unknown:
        raise UsageError(f"unknown template parameters: {sorted(unknown)} (known: {', '.join(sorted(specs))})")
    for name, value in values.items():
        problem = _problem(specs[name], value)
        if problem:
            raise UsageError(f"parameter {name}={value!r}: {problem}")


def _problem(spec: dict[str, Any], value: str) -> str | None:
    """What is wrong with ``value`` for the parameter ``spec`` describes, or None."""
    allowed = [str(v) for v in spec.get("AllowedValues", [])]
    if allowed and value not in allowed:
        return f"not one of {allowed}"
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        return f"does not match {spec['AllowedPattern']}"
    if spec.get("Type") != "Number":
        return None
    try:
        number = float(value)
    except ValueError:
        return "not a number"
    if "MinValue" in spec and number < float(spec["MinValue"]):
        return f"below {spec['MinValue']}"
    if "MaxValue" in spec and number > float(spec["MaxValue"]):
        return f"above {spec['MaxValue']}"
    return None


def parameter_values(specs: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    """Every parameter's value as CloudFormation passes it: a string, the override or the default."""
    return {name: str(overrides.get(name, spec.get("Default", ""))) for name, spec in specs.items()}


def resolve_find_in_map(node: Any, mappings: dict[str, Any], parameters: dict[str, str]) -> Any:
    """Replace each Fn::FindInMap whose keys are literals or parameter Refs by its value.

    moto resolves the Ref of a Number parameter to an int, then the lookup fails (KeyError: 60);
    CloudFormation passes parameters as strings."""
    if isinstance(node, list):
        return [resolve_find_in_map(v, mappings, parameters) for v in node]
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
    return {k: resolve_find_in_map(v, mappings, parameters) for k, v in node.items()}
