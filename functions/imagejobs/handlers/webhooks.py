"""WebhookSecretFunction: `GET /webhooks/secret` and `POST /webhooks/secret/rotate`.

The only function besides the delivery function that may read the secrets table; each tenant
sees only its own secret (the key is the tenant, its API key id).
"""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.webhook_secrets import DynamoSecretStore
from imagejobs.handlers.api_contract import answers
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import tenant_of
from imagejobs.handlers.resolver import Routes, serve_api
from imagejobs.logic.webhooks.secrets import rotate, tenant_secrets
from imagejobs.models.api import WebhookSecretView
from imagejobs.models.webhooks import TenantSecrets
from imagejobs.observability import logger, tracer
from imagejobs.settings import WebhookSecretSettings

settings = WebhookSecretSettings.from_environment()
store = DynamoSecretStore(settings.secrets_table_name, boto3.client("dynamodb"))

app = APIGatewayRestResolver(enable_validation=True)
serve_api(app)
webhooks_routes = Routes(app, "webhooks")


def _view(secrets: TenantSecrets) -> WebhookSecretView:
    now = utc_now()
    in_grace = len(secrets.signing_secrets(now)) > 1
    return WebhookSecretView(
        secret=secrets.current,
        previous_valid_until=secrets.previous_expires_at if in_grace else None,
    )


@webhooks_routes.get(
    "/webhooks/secret", answers(200, "The signing secret (`whsec_…`)", WebhookSecretView)
)
def get_secret() -> WebhookSecretView:
    """Your key's webhook signing secret

    Created on first use; deliveries to your webhooks are signed with it (Standard Webhooks). During
    a rotation's grace period `previous_valid_until` says until when deliveries also carry the
    previous secret's signature."""
    return _view(tenant_secrets(tenant_of(app), store=store, now=utc_now()))


@webhooks_routes.post(
    "/webhooks/secret/rotate", answers(200, "The new signing secret", WebhookSecretView)
)
def rotate_secret() -> WebhookSecretView:
    """Replace your key's webhook signing secret

    Deliveries carry the old secret's signature beside the new one for the grace period
    (`WebhookSecretGraceSeconds`), so a receiver can switch without dropping events."""
    rotated = rotate(
        tenant_of(app), store=store, now=utc_now(), grace=timedelta(seconds=settings.grace_seconds)
    )
    logger.info("webhook secret rotated", extra={"grace_seconds": settings.grace_seconds})
    return _view(rotated)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_before_routing(event) or app.resolve(event, context)
