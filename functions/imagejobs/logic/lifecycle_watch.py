"""Watching the offered Bedrock models' lifecycles, so that a retiring model is noticed before
it fails jobs and a retired one is refused at submit instead of failing them.

https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html (read 2026-12-06):
a model is Active, then Legacy (it still answers until its end of life, but new customers
cannot use it and an account that stops using it may lose it), then past its end of life
(every call fails). GetFoundationModel's `modelLifecycle` says which.

The sweeper runs this on its schedule. A model's recorded lifecycle (`model#<id>` in the jobs
table) is read again from Bedrock once it is older than the check interval (an hour by
default), so the schedule can be minutes apart without calling Bedrock every time. A model the
catalogue says Bedrock does not serve in this Region is unavailable without a call. A check
that fails (throttled, a 5xx) leaves the last lifecycle in place. Every run counts the offered
models that are Legacy and unavailable, as metrics the template's alarms watch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.engines.catalogue import ModelSpec
from imagejobs.exceptions import LifecycleCheckFailedError
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs.observability import logger, metrics
from imagejobs.ports import FoundationModels, ModelLifecycles


@dataclass(frozen=True)
class LifecycleSources:
    """Where lifecycles come from: the ones recorded, and Bedrock in this Region."""

    recorded: ModelLifecycles
    bedrock: FoundationModels
    region: str


@dataclass(frozen=True)
class LifecycleReport:
    # Models read from Bedrock this run (the others were checked within the interval).
    lifecycles_checked: int = 0
    legacy_models: int = 0
    unavailable_models: int = 0


def watch_lifecycles(
    offered: Sequence[ModelSpec],
    sources: LifecycleSources,
    *,
    check_every: timedelta,
    now: datetime,
) -> LifecycleReport:
    hosted = [spec for spec in offered if spec.bedrock is not None]
    if not hosted:
        return LifecycleReport()
    recorded = sources.recorded.get([spec.id for spec in hosted])
    current: dict[str, ModelLifecycle] = {}
    checked = 0
    for spec in hosted:
        last = recorded.get(spec.id)
        if last is not None and last.checked_at is not None and now - last.checked_at < check_every:
            current[spec.id] = last
            continue
        try:
            found = _read(spec, sources.bedrock, sources.region, now)
        except LifecycleCheckFailedError as error:
            logger.warning(
                "model lifecycle not read; the last one stands",
                extra={"model": spec.id, "reason": error.reason},
            )
            if last is not None:
                current[spec.id] = last
            continue
        sources.recorded.put(found)
        checked += 1
        current[spec.id] = found
        _log(found)
    report = LifecycleReport(
        lifecycles_checked=checked,
        legacy_models=_count(current.values(), LifecycleStatus.LEGACY),
        unavailable_models=_count(current.values(), LifecycleStatus.UNAVAILABLE),
    )
    metrics.add_metric(
        name="LegacyModelsOffered", unit=MetricUnit.Count, value=report.legacy_models
    )
    metrics.add_metric(
        name="UnavailableModelsOffered", unit=MetricUnit.Count, value=report.unavailable_models
    )
    return report


def _read(
    spec: ModelSpec, foundation_models: FoundationModels, region: str, now: datetime
) -> ModelLifecycle:
    """The model's lifecycle as of `now`."""
    assert spec.bedrock is not None
    if spec.bedrock.invoke_id(spec.id, region) is None:
        served = sorted(spec.bedrock.on_demand_regions | spec.bedrock.profile_regions)
        return ModelLifecycle(
            model_id=spec.id,
            status=LifecycleStatus.UNAVAILABLE,
            reason=f"Bedrock does not serve it in {region}; deploy in one of {', '.join(served)}",
            checked_at=now,
        )
    found = foundation_models.lifecycle(spec.id).model_copy(update={"checked_at": now})
    eol = found.end_of_life
    if found.status is LifecycleStatus.LEGACY and eol is not None and eol <= now.date():
        # From its end-of-life day on, calls fail (Bedrock may still describe it).
        return found.model_copy(
            update={
                "status": LifecycleStatus.UNAVAILABLE,
                "reason": f"past its end of life on {eol.isoformat()}; offer another model",
            }
        )
    return found


def _log(lifecycle: ModelLifecycle) -> None:
    if lifecycle.status is LifecycleStatus.LEGACY:
        eol = lifecycle.end_of_life.isoformat() if lifecycle.end_of_life else "not announced"
        logger.warning(
            f"model {lifecycle.model_id} is Legacy, end of life {eol}: move its jobs to another"
            " model before then",
            extra={"model": lifecycle.model_id, "end_of_life": eol, "reason": lifecycle.reason},
        )
    elif lifecycle.status is LifecycleStatus.UNAVAILABLE:
        logger.error(
            f"model {lifecycle.model_id} is unavailable; submit refuses it",
            extra={"model": lifecycle.model_id, "reason": lifecycle.reason},
        )
    else:
        logger.info("model lifecycle checked", extra={"model": lifecycle.model_id})


def _count(lifecycles: Iterable[ModelLifecycle], status: LifecycleStatus) -> int:
    return sum(1 for lifecycle in lifecycles if lifecycle.status is status)
