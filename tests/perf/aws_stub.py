"""AWS answered in-process by a stub, so a benchmark measures our code and boto3, not a server.

`install(session)` registers one `before-send` hook on a boto3 session: every client made from
it afterwards builds, signs and parses its requests exactly as usual, but the HTTP request is
answered here, from memory, instead of going over the network. It understands just what the
three functions call: DynamoDB PutItem, GetItem, UpdateItem (SET, `if_not_exists`, ADD, REMOVE)
and TransactWriteItems of those, SQS SendMessage and S3 PutObject and DeleteObject. Presigning
needs no call.

Standard library and botocore only: a cold-start child imports it beside boto3, and its own
cost is that of the floor as much as of each function.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

_JSON_10 = {"Content-Type": "application/x-amz-json-1.0"}
_ASSIGNMENT = re.compile(r"^\s*([#\w]+)\s*=\s*(.+?)\s*$")
_SECTION = re.compile(r"\b(SET|ADD|REMOVE)\b")
_TOP_LEVEL_COMMA = re.compile(r",(?![^(]*\))")
_IF_NOT_EXISTS = re.compile(r"^if_not_exists\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)$")


class _Raw:
    """What AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class AwsStub:
    def __init__(self, items: dict[str, dict[str, Any]] | None = None) -> None:
        # The jobs table: DynamoDB-JSON items by job_id (one table is all the functions use).
        self.items: dict[str, dict[str, Any]] = dict(items or {})
        self.calls = 0

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.calls += 1
        target = request.headers.get("X-Amz-Target")
        if target is not None:
            service, _, operation = _text(target).partition(".")
            payload = json.loads(request.body or b"{}")
            if service.startswith("DynamoDB"):
                return _json(request.url, self._dynamodb(operation, payload))
            if operation == "SendMessage":
                body = payload["MessageBody"].encode()
                digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
                answer = {"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": digest}
                return _json(request.url, answer)
            raise NotImplementedError(target)
        if request.method in {"PUT", "DELETE"}:  # S3 PutObject / DeleteObject
            status = 200 if request.method == "PUT" else 204
            return AWSResponse(request.url, status, {"ETag": '"stub"'}, _Raw(b""))
        raise NotImplementedError(f"{request.method} {request.url}")

    def _dynamodb(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        if operation == "TransactWriteItems":
            for entry in payload["TransactItems"]:
                [(kind, write)] = entry.items()
                self._dynamodb(f"{kind}Item", write)
            return {}
        if operation == "BatchGetItem":
            return {
                "Responses": {
                    table: [
                        self.items[key["job_id"]["S"]]
                        for key in read["Keys"]
                        if key["job_id"]["S"] in self.items
                    ]
                    for table, read in payload["RequestItems"].items()
                }
            }
        if operation == "PutItem":
            item = payload["Item"]
            self.items[item["job_id"]["S"]] = item
            return {}
        key = payload["Key"]["job_id"]["S"]
        if operation == "GetItem":
            return {"Item": self.items[key]} if key in self.items else {}
        if operation == "UpdateItem":
            item = self.items.setdefault(key, dict(payload["Key"]))
            _apply_update(item, payload)
            return {"Attributes": item}
        raise NotImplementedError(f"DynamoDB.{operation}")


def install(session: Any, stub: AwsStub | None = None) -> AwsStub:
    """Answers every request of the clients `session` (a boto3 Session) creates from now on."""
    stub = stub or AwsStub()
    session.events.register("before-send", stub)
    return stub


def _apply_update(item: dict[str, Any], payload: dict[str, Any]) -> None:
    """The subset of UpdateExpression our repository writes (SET, with `if_not_exists`; ADD;
    REMOVE); conditions are not checked."""
    names: dict[str, str] = payload.get("ExpressionAttributeNames", {})
    values: dict[str, Any] = payload.get("ExpressionAttributeValues", {})
    sections = dict(_section_pairs(payload["UpdateExpression"]))
    for clause in _TOP_LEVEL_COMMA.split(sections.get("SET", "")):
        match = _ASSIGNMENT.match(clause)
        if not match:
            continue
        name, value = names.get(match[1], match[1]), match[2]
        if default := _IF_NOT_EXISTS.match(value):
            item.setdefault(name, values[default[2]])
        else:
            item[name] = values[value]
    if "ADD" in sections:
        name, value = sections["ADD"].split()
        current = int(item.get(name, {"N": "0"})["N"])
        item[name] = {"N": str(current + int(values[value]["N"]))}
    for name in sections.get("REMOVE", "").split(","):
        item.pop(names.get(name.strip(), name.strip()), None)


def _section_pairs(expression: str) -> list[tuple[str, str]]:
    """`SET a = :a ADD n :one REMOVE b` -> [("SET", "a = :a"), ("ADD", "n :one"), ...]."""
    parts = _SECTION.split(expression)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def _json(url: str, body: dict[str, Any]) -> AWSResponse:
    return AWSResponse(url, 200, _JSON_10, _Raw(json.dumps(body).encode()))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
