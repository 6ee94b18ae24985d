"""What every submit route takes as text, and what the drop-ins take as the services they
replace took it: lax numbers, unknown keys ignored and recorded by name. `/jobs` stays strict."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.bad_requests import LAX_DROP_IN_SUBMISSIONS
from tests.support.cases import case_id
from tests.support.events import event_for_job, load_event, response_json
from tests.support.functions import Function
from tests.support.moto_aws import MotoResources


def posted(fixture: str, body: str) -> dict[str, Any]:
    event = copy.deepcopy(load_event(fixture))
    event["body"] = body
    return event


def job_id_of(response: dict[str, Any]) -> str:
    return str(response_json(response)["job_id"])


@pytest.mark.parametrize(
    "case",
    LAX_DROP_IN_SUBMISSIONS,
    ids=case_id,
)
def test_a_drop_in_coerces_numbers_and_records_the_keys_it_ignores(
    submit: Function,
    status: Function,
    resources: MotoResources,
    case: tuple[str, dict[str, int], list[str]],
) -> None:
    fixture, resolved, ignored = case
    # Given a request the replaced service's lax model accepted
    # When it is submitted to its drop-in route
    response = submit.invoke(fixture)

    # Then it is accepted, its numbers coerced, its unknown keys stored by name only
    assert response["statusCode"] == 200
    job_id = job_id_of(response)
    item = resources.stored_job(job_id)
    assert {name: int(item[name]["N"]) for name in resolved} == resolved
    assert item["ignored_parameters"] == {"L": [{"S": name} for name in ignored]}
    assert "sd-1.5" not in json.dumps(item)
    # And the job's status shows them, while the drop-ins' own answers keep their shapes
    shown = response_json(status.invoke(event_for_job("api-get-job", job_id)))
    assert shown["ignored_parameters"] == ignored
    drop_in_status = response_json(status.invoke(event_for_job("api-get-status", job_id)))
    assert set(drop_in_status) == {"job_id", "status", "result", "error"}
    result = response_json(status.invoke(event_for_job("api-get-result", job_id)))
    assert result == {"status": "processing"}


def test_a_job_that_ignored_nothing_has_no_attribute_for_it_and_shows_an_empty_list(
    submit: Function, status: Function, resources: MotoResources
) -> None:
    # Given a job submitted with only known fields (and so, too, every item written before)
    job_id = job_id_of(submit.invoke("api-post-jobs"))

    # Then its item has no such attribute, and its status reads as ignoring nothing
    item = resources.stored_job(job_id)
    assert "ignored_parameters" not in item
    shown = response_json(status.invoke(event_for_job("api-get-job", job_id)))
    assert shown["ignored_parameters"] == []


def test_ignored_names_are_counted_and_shown_only_when_safe_never_their_values(
    submit: Function, resources: MotoResources
) -> None:
    # Given a /generate request with 30 unknown keys: each long, some with a control character,
    # and short ones, more than are kept
    unknown = {f"{n:02}\u0007" + "k" * 100: "secret-value" for n in range(30)}
    short = {f"step{n}": "secret-value" for n in range(25)}
    parameters = {"width": 64, "height": 64, **unknown, **short}
    body = json.dumps({"prompt": "cat", "parameters": parameters})

    # When it is submitted
    response = submit.invoke(posted("api-post-generate", body))

    # Then at most 20 names are kept, none of them a name that is long or not printable
    assert response["statusCode"] == 200
    item = resources.stored_job(job_id_of(response))
    names = [name["S"] for name in item["ignored_parameters"]["L"]]
    assert names == ["an unknown field"] + [f"step{n}" for n in range(19)]
    assert "secret-value" not in json.dumps(item)


@pytest.mark.parametrize("width", ["512", 512.0, " 512 ", "512.0"])
def test_the_drop_ins_coerce_an_unambiguous_width(
    submit: Function, resources: MotoResources, width: Any
) -> None:
    # Given a width as text or as a whole float
    for fixture, body in (
        ("api-post-generate", {"prompt": "cat", "parameters": {"width": width}}),
        ("api-post-generate-image", {"prompt": "cat", "width": width}),
    ):
        # When a drop-in gets it
        response = submit.invoke(posted(fixture, json.dumps(body)))

        # Then it is the number it spells
        assert response["statusCode"] == 200, fixture
        item = resources.stored_job(job_id_of(response))
        assert item["width"] == {"N": "512"}


@pytest.mark.parametrize(
    "width", ['"512.5"', "512.5", '"wide"', "1e400", "-1e400", "-0.0", '"' + "9" * 5000 + '"']
)
def test_the_drop_ins_refuse_an_ambiguous_or_impossible_width_naming_it(
    submit: Function, resources: MotoResources, width: str
) -> None:
    for fixture, body, field in (
        (
            "api-post-generate",
            f'{{"prompt": "cat", "parameters": {{"width": {width}}}}}',
            "parameters.width",
        ),
        ("api-post-generate-image", f'{{"prompt": "cat", "width": {width}}}', "width"),
    ):
        # When a drop-in gets a width that is no whole number, or none it could draw
        response = submit.invoke(posted(fixture, body))

        # Then it is a 422 naming the field, and nothing is queued
        assert response["statusCode"] == 422, (fixture, width)
        assert [d["field"] for d in response_json(response)["detail"]] == [field]
    assert resources.queued_messages() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "cat", "width": "512"}, "width"),
        ({"prompt": "cat", "width": 512.0}, "width"),
        ({"prompt": "cat", "num_images": True}, "num_images"),
        ({"prompt": "cat", "steps": 30}, "steps"),
    ],
)
def test_jobs_stays_strict(submit: Function, body: dict[str, Any], field: str) -> None:
    # When /jobs gets what only a drop-in coerces or ignores, then it is a 422 naming the field
    response = submit.invoke(posted("api-post-jobs", json.dumps(body)))
    assert response["statusCode"] == 422
    assert [d["field"] for d in response_json(response)["detail"]] == [field]


TEXT_FIELDS = [
    ("api-post-jobs", lambda text: {"prompt": text}, "prompt"),
    ("api-post-jobs", lambda text: {"prompt": "cat", "negative_prompt": text}, "negative_prompt"),
    ("api-post-generate", lambda text: {"prompt": text}, "prompt"),
    (
        "api-post-generate",
        lambda text: {"prompt": "cat", "parameters": {"negative_prompt": text}},
        "parameters.negative_prompt",
    ),
    ("api-post-generate-image", lambda text: {"prompt": text}, "prompt"),
    (
        "api-post-generate-image",
        lambda text: {"prompt": "cat", "negative_prompt": text},
        "negative_prompt",
    ),
]


CONTROLS = ["\x00", "\x08", "\x1b", "\x7f", "\x85", "\ud800"]
INVISIBLE_PROMPTS = ["\u200b", "\u200b\u200c\u200d\u2060", " \ufeff ", "\u3000\u00a0"]


@pytest.mark.parametrize(
    ("fixture", "body", "field"),
    TEXT_FIELDS,
    ids=[f"{fixture}-{field}" for fixture, _, field in TEXT_FIELDS],
)
def test_control_characters_are_refused_in_every_text_field_of_every_route(
    submit: Function,
    resources: MotoResources,
    fixture: str,
    body: Callable[[str], dict[str, Any]],
    field: str,
) -> None:
    # (at the end too: Python strips U+0085 as whitespace, so it must be refused before that)
    for text in [f"a red{c} apple" for c in CONTROLS] + [f"a red apple{c}" for c in CONTROLS]:
        # Given a text field with a control character (or a lone surrogate) in visible text
        event = posted(fixture, json.dumps(body(text)))

        # When it is submitted, then it is a 422 naming that field
        response = submit.invoke(event)
        assert response["statusCode"] == 422, repr(text)
        assert [d["field"] for d in response_json(response)["detail"]] == [field]
    # While tab, CR and LF are text
    event = posted(fixture, json.dumps(body("a red\tapple\r\non a table")))
    assert submit.invoke(event)["statusCode"] in (200, 202)
    assert len(resources.queued_messages()) == 1


@pytest.mark.parametrize(
    "fixture", ["api-post-jobs", "api-post-generate", "api-post-generate-image"]
)
def test_a_prompt_must_have_visible_text(submit: Function, fixture: str) -> None:
    for prompt in INVISIBLE_PROMPTS:
        # Given a prompt of only invisible characters, when it is submitted, then it is a 422
        code, body = submit.call(posted(fixture, json.dumps({"prompt": prompt})))
        assert code == 422, repr(prompt)
        assert [d["field"] for d in body["detail"]] == ["prompt"]
