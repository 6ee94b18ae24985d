"""Models' lifecycles in the jobs table: one item per model, `model#<model id>`.

A job id is always a UUID and a tenant's counter is `tenant#<id>`, so no item collides with
one, and no route reads one but through this class.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from imagejobs.models.lifecycle import ModelLifecycle

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_PREFIX = "model#"


def lifecycle_key(model_id: str) -> dict[str, Any]:
    return {"job_id": {"S": f"{_PREFIX}{model_id}"}}


class DynamoModelLifecycles:
    """`cache_seconds` > 0 keeps what was read that long: a lifecycle changes over months,
    and a submit need not pay a read for it every time."""

    def __init__(self, table_name: str, client: DynamoDBClient, cache_seconds: float = 0) -> None:
        self._table = table_name
        self._client = client
        self._cache_seconds = cache_seconds
        self._cached: dict[tuple[str, ...], tuple[float, dict[str, ModelLifecycle]]] = {}

    def get(self, model_ids: Sequence[str]) -> dict[str, ModelLifecycle]:
        if not model_ids:
            return {}
        key = tuple(model_ids)
        read_at, found = self._cached.get(key, (-math.inf, {}))
        if time.monotonic() - read_at < self._cache_seconds:
            return found
        found = self._read(model_ids)
        self._cached[key] = (time.monotonic(), found)
        return found

    def _read(self, model_ids: Sequence[str]) -> dict[str, ModelLifecycle]:
        response = self._client.batch_get_item(
            RequestItems={
                self._table: {
                    "Keys": [lifecycle_key(model_id) for model_id in model_ids],
                    "ConsistentRead": True,
                }
            }
        )
        items = response.get("Responses", {}).get(self._table, [])
        found = [
            ModelLifecycle.model_validate(
                {name: _deserializer.deserialize(value) for name, value in item.items()}
            )
            for item in items
        ]
        return {lifecycle.model_id: lifecycle for lifecycle in found}

    def put(self, lifecycle: ModelLifecycle) -> None:
        plain = lifecycle.model_dump(mode="json", exclude_none=True)
        item = {name: _serializer.serialize(value) for name, value in plain.items()}
        self._client.put_item(TableName=self._table, Item=item | lifecycle_key(lifecycle.model_id))
