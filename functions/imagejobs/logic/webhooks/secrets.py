"""Each tenant's signing secret: made on first use, rotated with a grace period during which
deliveries are signed with the old secret too. A secret is never logged or put on a job."""

from __future__ import annotations

import base64
import secrets as random
from datetime import datetime, timedelta

from imagejobs.models.webhooks import TenantSecrets
from imagejobs.ports import SecretStore

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
# Standard Webhooks asks for 24 to 64 bytes.
SECRET_BYTES = 32
_ATTEMPTS = 5


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode("ascii")


def tenant_secrets(tenant: str, *, store: SecretStore, now: datetime) -> TenantSecrets:
    """The tenant's secrets, made now if it has none yet."""
    for _ in range(_ATTEMPTS):
        found = store.get(tenant)
        if found is not None:
            return found
        if store.put_new(TenantSecrets(tenant=tenant, current=new_secret(), created_at=now)):
            continue  # read back what was stored (another request may have won the race)
    raise RuntimeError("the tenant's webhook secret could not be stored")


def rotate(tenant: str, *, store: SecretStore, now: datetime, grace: timedelta) -> TenantSecrets:
    """A new current secret; the one it replaces still signs deliveries until `now + grace`."""
    for _ in range(_ATTEMPTS):
        old = tenant_secrets(tenant, store=store, now=now)
        rotated = TenantSecrets(
            tenant=tenant,
            current=new_secret(),
            created_at=now,
            previous=old.current,
            previous_expires_at=now + grace,
        )
        if store.replace(rotated, expected_current=old.current):
            return rotated
    raise RuntimeError("the tenant's webhook secret could not be rotated")
