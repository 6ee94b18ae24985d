"""DynamoDB answered by moto: no Java, no DynamoDB Local download.

Stock LocalStack downloads Java and DynamoDB Local at first use, which cannot work offline.
`DynamodbApi` with no overrides leaves every operation to `MotoFallbackDispatcher`, which
hands it to moto's in-process DynamoDB (conditional writes and their errors included).
"""

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import Service, aws_provider


class MotoDynamoDBProvider(DynamodbApi):
    """Every operation falls through to moto."""


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Service:
    from localstack.services.moto import MotoFallbackDispatcher

    return Service.for_provider(
        MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher
    )
