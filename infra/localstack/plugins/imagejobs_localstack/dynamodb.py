"""DynamoDB answered by moto: no Java, no DynamoDB Local download.

Stock LocalStack downloads Java and DynamoDB Local at first use, which cannot work offline.
`DynamodbApi` with no overrides leaves every operation to `MotoFallbackDispatcher`, which
hands it to moto's in-process DynamoDB (conditional writes and their errors included).

Two things moto does not do as DynamoDB does, fixed here:
- moto is not thread-safe, and LocalStack serves requests on many threads: two racing
  conditional writes could both pass their condition (moto checks, then writes), and a Scan
  while another request added an item failed with "dictionary changed size during iteration"
  (a 500). DynamoDB applies each request atomically: one lock around every operation makes moto
  do the same (moto answers each quickly, so the lock costs little).
- moto's TransactWriteItems deep-copies every table it touches before writing, to roll back on
  a failed condition: a cost that grows with the table, paid on every transaction (the jobs
  table grows with every job). Under the lock the conditions can all be checked first and the
  writes made only if they pass, so nothing needs rolling back.
"""

from __future__ import annotations

import threading
from typing import Any

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import Service, aws_provider

_ONE_AT_A_TIME = threading.RLock()


class MotoDynamoDBProvider(DynamodbApi):
    """Every operation falls through to moto."""


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Service:
    from localstack.services.moto import MotoFallbackDispatcher

    def serialized_dispatch(provider: object) -> dict[str, Any]:
        return {
            operation: _serialized(handler)
            for operation, handler in MotoFallbackDispatcher(provider).items()
        }

    _check_then_write_transactions()
    return Service.for_provider(MotoDynamoDBProvider(), dispatch_table_factory=serialized_dispatch)


def _serialized(handler: Any) -> Any:
    def call(context: Any, request: Any) -> Any:
        with _ONE_AT_A_TIME:
            return handler(context, request)

    return call


def _check_then_write_transactions() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = _transact_write_items


def _transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems, one at a time: every condition checked, then every write."""
    from moto.dynamodb.exceptions import TooManyTransactionsException, TransactionCanceledException

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _ONE_AT_A_TIME:
        operations = _operations(backend, transact_items)
        reasons = [_failed_condition(backend, operation, key) for _, operation, key in operations]
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
        for kind, operation, key in operations:
            _write(backend, kind, operation, key)


def _operations(
    backend: Any, transact_items: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each item's kind (Put, Update, ...), operation and key: one operation an item, and one
    item a key, as DynamoDB requires."""
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TransactWriteSingleOpException,
    )

    operations: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    targets: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException()
        kind, operation = next(iter(entry.items()))
        key = _key(backend.get_table(operation["TableName"]), kind, operation)
        target = (operation["TableName"], str(key))
        if target in targets:
            raise MultipleTransactionsException()
        targets.add(target)
        operations.append((kind, operation, key))
    return operations


def _key(table: Any, kind: str, operation: dict[str, Any]) -> dict[str, Any]:
    if kind != "Put":
        return dict(operation["Key"])
    key = {table.hash_key_attr: operation["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = operation["Item"][table.range_key_attr]
    return key


def _failed_condition(
    backend: Any, operation: dict[str, Any], key: dict[str, Any]
) -> tuple[str | None, str | None, Any]:
    """The operation's cancellation reason: (None, None, None) when its condition holds."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import ConditionalCheckFailed

    condition = operation.get("ConditionExpression")
    current = backend.get_item(operation["TableName"], key)
    if condition is None or get_filter_expression(
        condition,
        operation.get("ExpressionAttributeNames"),
        operation.get("ExpressionAttributeValues"),
    ).expr(current):
        return (None, None, None)
    old = None
    if operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", ConditionalCheckFailed().message, old)


def _write(backend: Any, kind: str, operation: dict[str, Any], key: dict[str, Any]) -> None:
    """One write of a transaction whose conditions all held (so none is checked again)."""
    names = operation.get("ExpressionAttributeNames")
    values = operation.get("ExpressionAttributeValues")
    table = operation["TableName"]
    if kind == "Put":
        backend.put_item(table, operation["Item"])
    elif kind == "Delete":
        backend.delete_item(table, key)
    elif kind == "Update":
        backend.update_item(
            table,
            key,
            update_expression=operation["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
