"""DynamoDB answered by moto: no Java, no DynamoDB Local download.

Stock LocalStack downloads Java and DynamoDB Local at first use, which cannot work offline.
`DynamodbApi` with no overrides leaves every operation to LocalStack's moto fallthrough, which
hands it to moto's in-process DynamoDB (conditional writes and their errors included).

moto's DynamoDB is not thread-safe, and LocalStack serves requests on many threads: a Scan
while another request adds an item failed with "dictionary changed size during iteration"
(a 500), and two conditional updates of one item could both pass their condition. DynamoDB
applies each write atomically, so every operation here runs under one lock (moto answers one
in a millisecond or two, so the lock costs little).
"""

import threading
from typing import Any

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import Service, aws_provider

LOCK = threading.Lock()


class MotoDynamoDBProvider(DynamodbApi):
    """Every operation falls through to moto."""


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Service:
    from localstack.aws.forwarder import ForwardingFallbackDispatcher
    from localstack.services.moto import _proxy_moto

    def one_at_a_time(context: Any, request: Any) -> Any:
        with LOCK:
            return _proxy_moto(context, request)

    return Service.for_provider(
        MotoDynamoDBProvider(),
        dispatch_table_factory=lambda provider: ForwardingFallbackDispatcher(
            provider, one_at_a_time
        ),
    )
