"""A model's lifecycle as this deployment last saw it: Amazon Bedrock's `modelLifecycle`
(ACTIVE or LEGACY, with dates) read with GetFoundationModel, or why the model cannot be used.

https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html (read 2026-12-06):
a Legacy model still answers until its end of life, but new customers cannot use it; after
the end of life every call fails.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class LifecycleStatus(StrEnum):
    ACTIVE = "active"
    LEGACY = "legacy"
    # Past its end of life, not served in this Region, or access not granted: refused at submit.
    UNAVAILABLE = "unavailable"


class ModelLifecycle(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_id: str
    status: LifecycleStatus
    end_of_life: date | None = None
    checked_at: datetime | None = None
    # For an unavailable model: what Bedrock answered, and what to do.
    reason: str | None = None

    @property
    def usable(self) -> bool:
        return self.status is not LifecycleStatus.UNAVAILABLE
