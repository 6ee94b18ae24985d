"""The fields of a request body and how each is checked: types, lengths, ranges, enums, images.

Bedrock checks a body against a JSON schema before the model sees it and words a refusal as
"Malformed input request: #/field: problem, please reformat your input and try again."; the
problems here use that schema validator's words ("required key [x] not found", "extraneous key
[x] is not permitted", "expected type: String, found: Integer", ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from imagejobs_dev.bedrock_standin.errors import InvalidBody
from imagejobs_dev.bedrock_standin.images import ImageLimits, InputImage, decode

Kind = Literal["text", "number", "integer", "choice", "image"]
SEED_MAX = 4_294_967_294


@dataclass(frozen=True)
class Field:
    kind: Kind
    source: str  # the page that documents the field
    required: bool = False
    low: float | None = None  # number/integer: minimum; text: minimum length
    high: float | None = None  # number/integer: maximum; text: maximum length
    choices: tuple[str, ...] = ()
    limits: ImageLimits | None = None
    default: Any = None


def text(source: str, *, required: bool = False, high: int = 10_000) -> Field:
    return Field("text", source, required, low=0, high=high)


def number(source: str, low: float, high: float, default: float | None = None) -> Field:
    return Field("number", source, low=low, high=high, default=default)


def integer(source: str, low: int, high: int, default: int | None = None) -> Field:
    return Field("integer", source, low=low, high=high, default=default)


def choice(source: str, *choices: str, default: str | None = None) -> Field:
    return Field("choice", source, choices=choices, default=default)


def image(limits: ImageLimits, *, required: bool = False) -> Field:
    return Field("image", limits.source, required, limits=limits)


@dataclass(frozen=True)
class Body:
    """A body that passed its fields' checks: the values given (and the documented defaults of
    the ones left out) and the decoded images."""

    given: frozenset[str]
    values: dict[str, Any]
    images: dict[str, InputImage] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.given


_JSON_TYPES = {
    bool: "Boolean",
    int: "Integer",
    float: "Number",
    str: "String",
    list: "JSONArray",
    dict: "JSONObject",
    type(None): "Null",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _found(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _check_value(name: str, spec: Field, value: Any) -> None:
    problem = _type_problem(spec, value) or _value_problem(spec, value)
    if problem is not None:
        raise InvalidBody(name, problem, spec.source)


def _type_problem(spec: Field, value: Any) -> str | None:
    if spec.kind in ("text", "choice", "image"):
        expected, fits = "String", isinstance(value, str)
    elif spec.kind == "integer":
        expected, fits = "Integer", type(value) is int
    else:
        expected, fits = "Number", type(value) in (int, float)
    return None if fits else f"expected type: {expected}, found: {_found(value)}"


def _value_problem(spec: Field, value: Any) -> str | None:
    if spec.kind == "text":
        if spec.high is not None and len(value) > spec.high:
            return f"expected maxLength: {_number(spec.high)}, actual: {len(value)}"
        if spec.low is not None and len(value) < spec.low:
            return f"expected minLength: {_number(spec.low)}, actual: {len(value)}"
    elif spec.kind == "choice" and value not in spec.choices:
        return f"{value} is not a valid enum value (one of: {', '.join(spec.choices)})"
    elif spec.kind in ("number", "integer"):
        if spec.low is not None and value < spec.low:
            return f"{value} is not greater or equal to {_number(spec.low)}"
        if spec.high is not None and value > spec.high:
            return f"{value} is not less or equal to {_number(spec.high)}"
    return None


def validate(fields: Mapping[str, Field], body: Any, source: str) -> Body:
    """The checked body, or InvalidBody for the first rule it breaks (extraneous keys first,
    then missing ones, then each field in the documented order; images last, as they cost
    most)."""
    if not isinstance(body, dict):
        raise InvalidBody("", f"expected type: JSONObject, found: {_found(body)}", source)
    for key in body:
        if key not in fields:
            raise InvalidBody("", f"extraneous key [{key}] is not permitted", source)
    for name, spec in fields.items():
        if spec.required and name not in body:
            raise InvalidBody("", f"required key [{name}] not found", spec.source)
    for name, spec in fields.items():
        if name in body:
            _check_value(name, spec, body[name])
    images: dict[str, InputImage] = {}
    for name, spec in fields.items():
        if spec.kind == "image" and name in body and spec.limits is not None:
            images[name] = decode(name, body[name], spec.limits)
    values = {name: spec.default for name, spec in fields.items() if spec.default is not None}
    values.update(body)
    return Body(frozenset(body), values, images)
