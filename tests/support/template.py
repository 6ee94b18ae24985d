"""template.yaml as tests see it: loaded with cfn-lint's decoder, which understands the short
CloudFormation tags (!Ref, !GetAtt, !Sub), and resolved against the resources a test made.

Unit tests build their moto tables, queues and bucket from these properties, and set each
function's environment from these variables, so the tests cannot drift from what deploys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@cache
def load_template() -> dict[str, Any]:
    return _plain(cfn_yaml.load(str(TEMPLATE)))


def _plain(value: Any) -> Any:
    """cfn-lint's nodes carry line marks; tests want ordinary dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def resource(logical_id: str) -> dict[str, Any]:
    return load_template()["Resources"][logical_id]  # type: ignore[no-any-return]


def properties(logical_id: str) -> dict[str, Any]:
    return resource(logical_id).get("Properties", {})  # type: ignore[no-any-return]


def parameter_defaults() -> dict[str, Any]:
    return {
        name: p["Default"].split(",") if p.get("Type") == "CommaDelimitedList" else p.get("Default")
        for name, p in load_template()["Parameters"].items()
    }


def function_setting(logical_id: str, name: str) -> Any:
    """A function property, falling back to Globals as SAM does."""
    own = properties(logical_id)
    return own[name] if name in own else load_template()["Globals"]["Function"][name]


_NO_VALUE = object()  # AWS::NoValue: the list item or property disappears


# What `AWS::...` references mean when a test resolves `!Sub` (`substitute=True`).
_PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
}


class Resolver:
    """Resolves the intrinsic functions our template uses, given what `!Ref` and `!GetAtt`
    mean in the test's world (e.g. {"JobsTable": "jobs-table-name"}). Parameters not given
    take their defaults; conditions (`!If`, `!Equals`) are evaluated as CloudFormation does,
    and `!Join` joins; with `substitute`, `!Sub` and `!Split` are resolved too. Anything else is
    left as it is; so are references the test did not give when `keep_unknown` (for checks of
    the template's own shape)."""

    def __init__(
        self,
        refs: dict[str, Any],
        attributes: dict[str, Any] | None = None,
        *,
        keep_unknown: bool = False,
        substitute: bool = False,
    ) -> None:
        self.refs = {**_PSEUDO_PARAMETERS, **parameter_defaults(), **refs}
        self.substitute = substitute
        self.attributes = attributes or {}
        self.keep_unknown = keep_unknown

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in map(self, value) if r is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            [(name, argument)] = value.items()
            function = self._FUNCTIONS.get(name)
            if function is not None and (name != "Fn::Sub" or self.substitute):
                return function(self, argument)
        return {k: r for k, v in value.items() if (r := self(v)) is not _NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        return {"Ref": name} if self.keep_unknown and name not in self.refs else self.refs[name]

    def _get_att(self, argument: list[str]) -> Any:
        name = ".".join(argument)
        if self.keep_unknown and name not in self.attributes:
            return {"Fn::GetAtt": argument}
        return self.attributes[name]

    def _if(self, argument: list[Any]) -> Any:
        condition, if_true, if_false = argument
        return self(if_true if self.condition(condition) else if_false)

    def _sub(self, argument: Any) -> str:
        text, names = argument, {}
        if isinstance(text, list):
            text, given = text
            names = {name: self(inner) for name, inner in given.items()}
        known = {**self.refs, **names}
        return re.sub(r"\$\{([\w:]+)\}", lambda m: str(known[m.group(1)]), text)

    def _join(self, argument: list[Any]) -> str:
        separator, parts = self(argument[0]), self(argument[1])
        if isinstance(parts, str):  # a list parameter the test gave as text
            parts = parts.split(",")
        return str(separator).join(str(part) for part in parts)

    _FUNCTIONS: ClassVar[dict[str, Callable[[Resolver, Any], Any]]] = {
        "Ref": _ref,
        "Fn::GetAtt": _get_att,
        "Fn::If": _if,
        "Fn::Not": lambda self, argument: not self(argument[0]),
        "Fn::Equals": lambda self, argument: str(self(argument[0])) == str(self(argument[1])),
        "Fn::Sub": _sub,
        "Fn::Split": lambda self, argument: str(self(argument[1])).split(argument[0]),
        "Fn::Join": _join,
    }

    def condition(self, name: str) -> bool:
        return bool(self(load_template()["Conditions"][name]))


def function_environment(logical_id: str, resolve: Resolver) -> dict[str, str]:
    """The environment variables the deployed function gets: Globals, then its own."""
    merged: dict[str, Any] = {
        **load_template()["Globals"]["Function"]["Environment"]["Variables"],
        **properties(logical_id).get("Environment", {}).get("Variables", {}),
    }
    return {name: str(resolve(value)) for name, value in merged.items()}


def handler_module(logical_id: str) -> str:
    """`imagejobs.handlers.submit.handler` -> `imagejobs.handlers.submit`."""
    return str(properties(logical_id)["Handler"]).rsplit(".", 1)[0]


def queue_attributes(logical_id: str, resolve: Resolver) -> dict[str, str]:
    """SQS attributes as CreateQueue takes them (strings; RedrivePolicy as JSON)."""
    attributes = {}
    for name, value in resolve(properties(logical_id)).items():
        attributes[name] = (
            json.dumps(value)
            if isinstance(value, dict)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
    return attributes


def table_definition(logical_id: str) -> dict[str, Any]:
    """CreateTable arguments from an AWS::DynamoDB::Table's properties (same names)."""
    props = properties(logical_id)
    wanted = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
    return {name: props[name] for name in wanted if name in props}


def bucket_encryption_rules(logical_id: str) -> list[dict[str, Any]]:
    """PutBucketEncryption rules; CloudFormation drops the API's "Apply" prefix."""
    config = properties(logical_id)["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    return [
        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
        for rule in config
    ]
