"""Each function's settings as template.yaml sets them, for either engine."""

import pytest
from pydantic import ValidationError

from imagejobs.engines.options import ENGINE_KINDS
from imagejobs.settings import SubmitSettings, WorkerSettings
from tests.support import template


def test_the_template_offers_exactly_the_engine_kinds_there_are() -> None:
    # Given the values the template's ImageEngine parameter allows
    offered = template.load_template()["Parameters"]["ImageEngine"]["AllowedValues"]

    # Then each is a kind the settings, the engine factory and the limits know, and every
    # kind is offered
    assert sorted(offered) == sorted(ENGINE_KINDS)


@pytest.mark.parametrize("engine", ENGINE_KINDS)
def test_the_template_gives_every_function_valid_settings_with_either_engine(engine: str) -> None:
    # Given the environment the template gives the functions with this engine
    resolve = template.Resolver({"ImageEngine": engine}, keep_unknown=True)

    # When the functions read their settings at cold start
    worker = WorkerSettings.model_validate(template.function_environment("WorkerFunction", resolve))
    submit = SubmitSettings.model_validate(template.function_environment("SubmitFunction", resolve))

    # Then both agree on the engine, and so on the limits a job is checked against
    assert worker.engine_limits == submit.engine_limits
    expected_id = "pillow" if engine == "pillow" else "bedrock:amazon.nova-canvas-v1:0"
    assert submit.engine_limits.engine_id == expected_id


def test_a_bedrock_worker_refuses_a_reserve_shorter_than_its_slowest_render() -> None:
    # Given a Bedrock worker's environment whose time reserve is the built-in renderer's
    resolve = template.Resolver({"ImageEngine": "bedrock"}, keep_unknown=True)
    environment = template.function_environment("WorkerFunction", resolve)
    environment["RENDER_TIME_RESERVE_SECONDS"] = "30"

    # When the settings are read
    # Then the cold start fails, saying what the reserve must be
    with pytest.raises(ValidationError, match="RENDER_TIME_RESERVE_SECONDS must be at least 251"):
        WorkerSettings.model_validate(environment)
