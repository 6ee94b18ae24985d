"""Each function's settings as template.yaml sets them, for the models a deployment offers."""

import re

import pytest
from pydantic import ValidationError

from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.settings import StatusSettings, SubmitSettings, WebSettings, WorkerSettings
from tests.support import template

SD35 = "stability.sd3-5-large-v1:0"


def test_the_template_offers_exactly_the_catalogues_models() -> None:
    # Given what the template's Models and DefaultModel allow
    parameters = template.load_template()["Parameters"]
    pattern = re.compile(parameters["Models"]["AllowedPattern"])

    # Then the default may be any of the catalogue's models, no more (none past its end of
    # life), and the list any of them, alone or together, and nothing else
    assert sorted(parameters["DefaultModel"]["AllowedValues"]) == sorted(CATALOGUE)
    assert all(pattern.fullmatch(model) for model in CATALOGUE)
    assert pattern.fullmatch(",".join(CATALOGUE))
    for refused in (
        "amazon.nova-canvas-v1:0",
        "pillow,amazon.titan-image-generator-v2:0",
        "",
        "pillow,",
    ):
        assert not pattern.fullmatch(refused)


@pytest.mark.parametrize(
    ("models", "default"),
    [("pillow", "pillow"), (f"pillow,{SD35}", SD35), (",".join(CATALOGUE), "pillow")],
)
def test_the_template_gives_every_function_the_same_valid_models(models: str, default: str) -> None:
    # Given the environment the template gives the functions for these models
    resolve = template.Resolver({"Models": models, "DefaultModel": default}, keep_unknown=True)

    # When the functions read their settings at cold start
    read = [
        settings.model_validate(template.function_environment(function, resolve))
        for settings, function in (
            (WorkerSettings, "WorkerFunction"),
            (SubmitSettings, "SubmitFunction"),
            (StatusSettings, "StatusFunction"),
            (WebSettings, "WebFunction"),
        )
    ]

    # Then they all agree on the models offered and the default
    assert {(s.offered_models, s.default_model) for s in read} == {
        (tuple(models.split(",")), default)
    }


def test_a_default_model_that_is_not_offered_fails_the_cold_start() -> None:
    resolve = template.Resolver({"Models": "pillow", "DefaultModel": SD35}, keep_unknown=True)
    environment = template.function_environment("SubmitFunction", resolve)
    with pytest.raises(ValidationError, match=r"DEFAULT_MODEL .* must be one of MODELS"):
        SubmitSettings.model_validate(environment)


def test_a_model_the_catalogue_lacks_fails_the_cold_start() -> None:
    resolve = template.Resolver({"Models": "pillow,amazon.nova-canvas-v1:0"}, keep_unknown=True)
    environment = template.function_environment("SubmitFunction", resolve)
    with pytest.raises(ValidationError, match=r"unknown model .amazon\.nova-canvas-v1:0."):
        SubmitSettings.model_validate(environment)


def test_a_bedrock_worker_refuses_a_reserve_shorter_than_its_slowest_render() -> None:
    # Given a Bedrock worker's environment whose time reserve is the built-in renderer's
    resolve = template.Resolver({"Models": f"pillow,{SD35}"}, keep_unknown=True)
    environment = template.function_environment("WorkerFunction", resolve)
    environment["RENDER_TIME_RESERVE_SECONDS"] = "30"

    # When the settings are read
    # Then the cold start fails, saying what the reserve must be
    with pytest.raises(ValidationError, match="RENDER_TIME_RESERVE_SECONDS must be at least 251"):
        WorkerSettings.model_validate(environment)
