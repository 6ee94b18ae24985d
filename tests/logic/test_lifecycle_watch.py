"""Watching the offered models' lifecycles on the in-memory ports: which models are read from
Bedrock and when, what is recorded for each answer, and the counts the alarms watch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.exceptions import LifecycleCheckFailedError
from imagejobs.logic.lifecycle_watch import LifecycleReport, LifecycleSources, watch_lifecycles
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs.observability import metrics
from tests.support.in_memory import InMemoryModelLifecycles
from tests.support.jobs import T0

SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
HOUR = timedelta(hours=1)


@dataclass
class ScriptedBedrock:
    """GetFoundationModel's answers by model (a lifecycle, or an error to raise); every model
    not scripted is Active. Records the models asked about."""

    answers: dict[str, ModelLifecycle | Exception] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def lifecycle(self, model_id: str) -> ModelLifecycle:
        self.asked.append(model_id)
        answer = self.answers.get(model_id)
        if isinstance(answer, Exception):
            raise answer
        return answer or ModelLifecycle(model_id=model_id, status=LifecycleStatus.ACTIVE)


@pytest.fixture
def emitted() -> dict[str, Any]:
    """The metrics a test's run adds, by name: Powertools keeps them until a handler flushes,
    and tests/conftest.py clears them before each test."""
    return metrics.metric_set


def watch(
    models: list[str],
    recorded: InMemoryModelLifecycles,
    bedrock: ScriptedBedrock,
    *,
    region: str = "us-east-1",
    at: Any = T0,
) -> LifecycleReport:
    return watch_lifecycles(
        [CATALOGUE[model] for model in models],
        LifecycleSources(recorded=recorded, bedrock=bedrock, region=region),
        check_every=HOUR,
        now=at,
    )


def test_each_offered_bedrock_model_is_read_and_recorded_with_when(
    emitted: dict[str, Any],
) -> None:
    # Given a deployment offering the built-in renderer and two Bedrock models, none checked yet
    recorded, bedrock = InMemoryModelLifecycles(), ScriptedBedrock()

    # When the lifecycles are watched
    report = watch(["pillow", SD35, CORE], recorded, bedrock)

    # Then Bedrock was asked about the two hosted models only, and each is recorded Active now
    assert bedrock.asked == [SD35, CORE]
    assert recorded.items == {
        model: ModelLifecycle(model_id=model, status=LifecycleStatus.ACTIVE, checked_at=T0)
        for model in (SD35, CORE)
    }
    assert report == LifecycleReport(lifecycles_checked=2)
    # And the counts the alarms watch are zero
    assert emitted["LegacyModelsOffered"]["Value"] == [0]
    assert emitted["UnavailableModelsOffered"]["Value"] == [0]


def test_a_lifecycle_checked_within_the_interval_is_not_read_again() -> None:
    # Given SD3.5 checked 59 minutes ago and Core checked an hour ago
    recorded = InMemoryModelLifecycles()
    for model, age in ((SD35, timedelta(minutes=59)), (CORE, HOUR)):
        recorded.put(
            ModelLifecycle(model_id=model, status=LifecycleStatus.ACTIVE, checked_at=T0 - age)
        )
    bedrock = ScriptedBedrock()

    # When the lifecycles are watched now
    report = watch([SD35, CORE], recorded, bedrock)

    # Then only the one an hour old was read again
    assert bedrock.asked == [CORE]
    assert report.lifecycles_checked == 1
    assert recorded.items[SD35].checked_at == T0 - timedelta(minutes=59)
    assert recorded.items[CORE].checked_at == T0


def test_a_legacy_model_is_recorded_with_its_end_of_life_counted_and_logged(
    emitted: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # Given Bedrock reporting Ultra as Legacy until 2027-03-31
    eol = date(2027, 3, 31)
    legacy = ModelLifecycle(model_id=ULTRA, status=LifecycleStatus.LEGACY, end_of_life=eol)
    recorded, bedrock = InMemoryModelLifecycles(), ScriptedBedrock({ULTRA: legacy})

    # When the lifecycles are watched
    report = watch([CORE, ULTRA], recorded, bedrock)

    # Then it is recorded Legacy with that date, counted for the alarm, and the log names the date
    assert recorded.items[ULTRA] == legacy.model_copy(update={"checked_at": T0})
    assert report == LifecycleReport(lifecycles_checked=2, legacy_models=1)
    assert emitted["LegacyModelsOffered"]["Value"] == [1]
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "2027-03-31" in warning.getMessage()
    assert ULTRA in warning.getMessage()


def test_a_legacy_model_is_still_counted_when_it_is_not_read_again(
    emitted: dict[str, Any],
) -> None:
    # Given Ultra recorded Legacy a minute ago
    recorded = InMemoryModelLifecycles()
    recorded.put(
        ModelLifecycle(
            model_id=ULTRA,
            status=LifecycleStatus.LEGACY,
            end_of_life=date(2027, 3, 31),
            checked_at=T0 - timedelta(minutes=1),
        )
    )

    # When the lifecycles are watched
    report = watch([ULTRA], recorded, ScriptedBedrock())

    # Then the alarm's count still says so: it stays in alarm while the model is offered
    assert report == LifecycleReport(lifecycles_checked=0, legacy_models=1)
    assert emitted["LegacyModelsOffered"]["Value"] == [1]


def test_a_legacy_model_on_its_end_of_life_day_is_unavailable() -> None:
    # Given Bedrock still describing SD3.5 as Legacy, with its end of life today
    today = ModelLifecycle(model_id=SD35, status=LifecycleStatus.LEGACY, end_of_life=T0.date())
    recorded = InMemoryModelLifecycles()

    # When the lifecycles are watched
    report = watch([SD35], recorded, ScriptedBedrock({SD35: today}))

    # Then it is recorded unavailable, saying since when
    assert recorded.items[SD35].status is LifecycleStatus.UNAVAILABLE
    assert f"end of life on {T0.date().isoformat()}" in str(recorded.items[SD35].reason)
    assert report.unavailable_models == 1


def test_a_model_bedrock_does_not_describe_is_recorded_unavailable_with_the_reason(
    emitted: dict[str, Any],
) -> None:
    # Given Bedrock answering that Core is not found (as for a model past its end of life)
    gone = ModelLifecycle(
        model_id=CORE,
        status=LifecycleStatus.UNAVAILABLE,
        reason="ResourceNotFoundException: Model not found. (offer another model)",
    )
    recorded = InMemoryModelLifecycles()

    # When the lifecycles are watched
    report = watch([SD35, CORE], recorded, ScriptedBedrock({CORE: gone}))

    # Then it is recorded unavailable with Bedrock's reason, and counted for its alarm
    assert recorded.items[CORE] == gone.model_copy(update={"checked_at": T0})
    assert report.unavailable_models == 1
    assert emitted["UnavailableModelsOffered"]["Value"] == [1]


def test_a_model_not_served_in_the_region_is_unavailable_without_a_call() -> None:
    # Given a deployment in eu-west-1, where the catalogue says no Stability model is served
    recorded, bedrock = InMemoryModelLifecycles(), ScriptedBedrock()

    # When the lifecycles are watched
    watch([SD35], recorded, bedrock, region="eu-west-1")

    # Then Bedrock was not asked, and the model is unavailable, naming where it is served
    assert bedrock.asked == []
    lifecycle = recorded.items[SD35]
    assert lifecycle.status is LifecycleStatus.UNAVAILABLE
    assert lifecycle.reason == (
        "Bedrock does not serve it in eu-west-1; deploy in one of us-east-1, us-east-2, us-west-2"
    )


def test_a_check_that_fails_leaves_the_last_lifecycle_in_place() -> None:
    # Given SD3.5 recorded Legacy two hours ago, and Bedrock throttling the check now
    before = ModelLifecycle(
        model_id=SD35,
        status=LifecycleStatus.LEGACY,
        end_of_life=date(2027, 3, 31),
        checked_at=T0 - 2 * HOUR,
    )
    recorded = InMemoryModelLifecycles()
    recorded.put(before)
    failing = LifecycleCheckFailedError(SD35, "ThrottlingException: slow down")
    bedrock = ScriptedBedrock({SD35: failing})

    # When the lifecycles are watched
    report = watch([SD35, CORE], recorded, bedrock)

    # Then SD3.5 keeps what was recorded (and still counts), and Core was checked all the same
    assert recorded.items[SD35] == before
    assert bedrock.asked == [SD35, CORE]
    assert report == LifecycleReport(lifecycles_checked=1, legacy_models=1)


def test_a_deployment_without_bedrock_models_reads_and_emits_nothing(
    emitted: dict[str, Any],
) -> None:
    # Given the built-in renderer alone
    recorded, bedrock = InMemoryModelLifecycles(), ScriptedBedrock()

    # When the lifecycles are watched
    report = watch(["pillow"], recorded, bedrock)

    # Then nothing was read or recorded, and no count was emitted
    assert (report, bedrock.asked, recorded.items) == (LifecycleReport(), [], {})
    assert "LegacyModelsOffered" not in emitted
