"""Each tenant's webhook signing secrets, one DynamoDB item per tenant (API key id)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from imagejobs.models.storage import format_timestamp, parse_timestamp
from imagejobs.models.webhooks import TenantSecrets

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# The table's key, the tenant, is stored as `owner`: renaming a key attribute would replace the
# table and lose every tenant's secret. This module is the only one that maps the two.
_TENANT = "owner"


class DynamoSecretStore:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def get(self, tenant: str) -> TenantSecrets | None:
        item = self._client.get_item(
            TableName=self._table, Key={_TENANT: {"S": tenant}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return TenantSecrets(
            tenant=tenant,
            current=item["current"]["S"],
            created_at=parse_timestamp(item["created_at"]["S"]),
            previous=item["previous"]["S"] if "previous" in item else None,
            previous_expires_at=(
                parse_timestamp(item["previous_expires_at"]["S"])
                if "previous_expires_at" in item
                else None
            ),
        )

    def put_new(self, secrets: TenantSecrets) -> bool:
        return self._put(secrets, "attribute_not_exists(#tenant)", {})

    def replace(self, secrets: TenantSecrets, expected_current: str) -> bool:
        return self._put(secrets, "#current = :expected", {":expected": {"S": expected_current}})

    def _put(self, secrets: TenantSecrets, condition: str, values: dict[str, Any]) -> bool:
        item: dict[str, Any] = {
            _TENANT: {"S": secrets.tenant},
            "current": {"S": secrets.current},
            "created_at": {"S": format_timestamp(secrets.created_at)},
        }
        if secrets.previous is not None and secrets.previous_expires_at is not None:
            item["previous"] = {"S": secrets.previous}
            item["previous_expires_at"] = {"S": _time(secrets.previous_expires_at)}
        names = {"#tenant": _TENANT} if "#tenant" in condition else {"#current": "current"}
        request: dict[str, Any] = {
            "TableName": self._table,
            "Item": item,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self._client.put_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _time(moment: datetime) -> str:
    return format_timestamp(moment)
