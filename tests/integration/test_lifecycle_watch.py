"""Reading models' lifecycles from Bedrock: the real boto3 `bedrock` client against the stand-in
(imagejobs_dev.bedrock_standin), which answers GetFoundationModel as Bedrock does; then the
deployed sweeper's scheduled run on moto, recording what it read where submit and
`GET /models` find it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date

import pytest

from imagejobs.dal.foundation_models import BedrockFoundationModels
from imagejobs.dal.model_lifecycles import DynamoModelLifecycles
from imagejobs.exceptions import LifecycleCheckFailedError
from imagejobs.models.lifecycle import LifecycleStatus
from imagejobs_dev.bedrock_standin import BedrockStandIn
from tests.support.bedrock_standin_world import REGION, World, clients
from tests.support.functions import LoadHandler
from tests.support.moto_aws import MotoResources

SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"


def foundation_models(standin: World) -> BedrockFoundationModels:
    return BedrockFoundationModels(lambda: standin.control_plane)


def test_an_active_model_is_active_with_no_end_of_life(standin: World) -> None:
    lifecycle = foundation_models(standin).lifecycle(SD35)
    assert (lifecycle.status, lifecycle.end_of_life, lifecycle.reason) == (
        LifecycleStatus.ACTIVE,
        None,
        None,
    )


def test_a_legacy_model_is_legacy_with_the_date_of_its_end_of_life(standin: World) -> None:
    # Given Bedrock reporting Ultra Legacy, with its end of life
    standin.configure({"models": {ULTRA: {"lifecycle": "LEGACY", "end_of_life": "2027-03-31"}}})

    # When its lifecycle is read
    lifecycle = foundation_models(standin).lifecycle(ULTRA)

    # Then it is Legacy until that day
    assert (lifecycle.status, lifecycle.end_of_life) == (LifecycleStatus.LEGACY, date(2027, 3, 31))


def test_a_model_past_its_end_of_life_is_unavailable_with_bedrocks_answer_and_a_hint(
    standin: World,
) -> None:
    # Given Core past its end of life: GetFoundationModel no longer finds it
    standin.configure({"models": {CORE: {"lifecycle": "EOL"}}})

    # When its lifecycle is read
    lifecycle = foundation_models(standin).lifecycle(CORE)

    # Then it is unavailable, saying what Bedrock answered and what to do
    assert lifecycle.status is LifecycleStatus.UNAVAILABLE
    assert str(lifecycle.reason).startswith("ResourceNotFoundException: ")
    assert "offer another model" in str(lifecycle.reason)


def test_a_refused_signature_is_a_failed_check_not_an_unavailable_model(standin: World) -> None:
    # Given a client whose key Bedrock does not know
    _, control_plane = clients(standin.standin.url, access_key="AKIAUNKNOWNKEY000000")

    # When a lifecycle is read with it, then the check failed: the model is not judged
    with pytest.raises(LifecycleCheckFailedError, match="UnrecognizedClientException"):
        BedrockFoundationModels(lambda: control_plane).lifecycle(SD35)


def test_no_connection_is_a_failed_check() -> None:
    # Given an endpoint where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, control_plane = clients(f"http://127.0.0.1:{port}", connect_timeout=1)

    # When a lifecycle is read, then the check failed, naming why
    with pytest.raises(LifecycleCheckFailedError, match="EndpointConnectionError"):
        BedrockFoundationModels(lambda: control_plane).lifecycle(SD35)


def test_the_client_is_made_on_the_first_check_only() -> None:
    made: list[int] = []

    def make() -> object:
        made.append(1)
        raise AssertionError("no client should be made")

    BedrockFoundationModels(make)  # type: ignore[arg-type]
    assert made == []


@pytest.fixture
def any_key_standin() -> Iterator[BedrockStandIn]:
    """A stand-in that admits moto's fake credentials, as `make up`'s admits LocalStack's."""
    start = {
        "models": {
            ULTRA: {"lifecycle": "LEGACY", "end_of_life": "2027-03-31"},
            CORE: {"lifecycle": "EOL"},
        }
    }
    with BedrockStandIn(region=REGION, any_key=True, start=start) as server:
        yield server


def test_the_scheduled_sweep_records_each_offered_models_lifecycle_once_an_hour(
    load_handler: LoadHandler,
    resources: MotoResources,
    any_key_standin: BedrockStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the sweeper of a deployment offering the three Stability models, Bedrock (the
    # stand-in, reached as a deployed function reaches it) reporting Ultra Legacy and Core gone
    sweeper = load_handler(
        "SweepFunction",
        MODELS=f"pillow,{SD35},{CORE},{ULTRA}",
        AWS_ENDPOINT_URL_BEDROCK=any_key_standin.url,
    )

    # When its schedule runs it twice in a row
    first = sweeper.invoke("schedule-sweep")
    second = sweeper.invoke("schedule-sweep")

    # Then the first run read the three lifecycles, the second none (checked within the hour),
    # and both counted one Legacy and one unavailable model for the alarms
    counts = ("lifecycles_checked", "legacy_models", "unavailable_models")
    assert [tuple(run[name] for name in counts) for run in (first, second)] == [
        (3, 1, 1),
        (0, 1, 1),
    ]
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    lifecycle_metrics = [m for m in emitted if "LegacyModelsOffered" in m]
    assert [
        (m["LegacyModelsOffered"], m["UnavailableModelsOffered"]) for m in lifecycle_metrics
    ] == [
        ([1.0], [1.0]),
        ([1.0], [1.0]),
    ]
    # And what it recorded is what submit and GET /models read
    recorded = DynamoModelLifecycles(resources.table_name, resources.dynamodb).get(
        [SD35, CORE, ULTRA]
    )
    assert {model: lifecycle.status for model, lifecycle in recorded.items()} == {
        SD35: LifecycleStatus.ACTIVE,
        CORE: LifecycleStatus.UNAVAILABLE,
        ULTRA: LifecycleStatus.LEGACY,
    }
    assert recorded[ULTRA].end_of_life == date(2027, 3, 31)
    assert recorded[ULTRA].checked_at is not None
    # And Bedrock was asked once per model
    asked = any_key_standin.requests()["requests"]
    assert sorted(r["model_id"] for r in asked if r["operation"] == "GetFoundationModel") == sorted(
        [SD35, CORE, ULTRA]
    )
