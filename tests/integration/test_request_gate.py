"""The gate every API request passes before routing, on its own and inside SubmitFunction."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from imagejobs.handlers.request_gate import (
    MAX_BODY_BYTES,
    MAX_INTEGER_DIGITS,
    MAX_JSON_DEPTH,
    refuse_before_routing,
)
from imagejobs.models.api import MAX_SHOWN_NAME_CHARS, UNKNOWN_FIELD
from tests.support.bad_requests import ODD_BUT_VALID_SUBMISSIONS, UNREADABLE_BODIES
from tests.support.events import load_event, response_json
from tests.support.functions import Function
from tests.support.moto_aws import MotoResources


def with_body(body: str) -> dict[str, Any]:
    event = copy.deepcopy(load_event("api-post-jobs"))
    event["body"] = body
    return event


@pytest.mark.parametrize(("fixture", "status", "error"), UNREADABLE_BODIES)
def test_an_unreadable_body_is_refused_with_the_one_error_body(
    fixture: str, status: int, error: str
) -> None:
    # Given a request whose body no route could read
    event = load_event(fixture)

    # When it reaches the gate
    response = refuse_before_routing(event)

    # Then it is answered there, as a JSON error that says what is wrong and echoes nothing
    assert response is not None
    assert response["statusCode"] == status
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]
    body = json.loads(response["body"])
    assert body == {"error": error, "message": body["message"], "detail": []}
    assert len(response["body"]) < 200


@pytest.mark.parametrize("fixture", ODD_BUT_VALID_SUBMISSIONS)
def test_valid_requests_in_any_valid_encoding_pass(fixture: str) -> None:
    # Given a valid request in an unusual but valid form
    event = load_event(fixture)

    # When it reaches the gate, then it passes
    assert refuse_before_routing(event) is None


def test_the_escaped_emoji_fixture_is_larger_than_the_old_limit() -> None:
    # The fixture is only a test of the size limit if it is bigger than what was refused
    assert len(load_event("api-post-jobs-escaped-emoji")["body"].encode()) > 16 * 1024


def test_the_media_type_is_lower_cased_for_the_resolver_and_its_parameters_kept() -> None:
    # Given a Content-Type in capitals with a charset
    event = load_event("api-post-jobs-upper-case-media-type")
    event["headers"]["Content-Type"] = "APPLICATION/JSON; charset=UTF-8"

    # When it passes the gate
    assert refuse_before_routing(event) is None

    # Then the resolver sees the media type as it compares it
    assert event["headers"]["Content-Type"] == "application/json; charset=UTF-8"
    assert event["multiValueHeaders"]["Content-Type"] == ["application/json"]


@pytest.mark.parametrize(
    ("nested", "refused"), [(MAX_JSON_DEPTH, False), (MAX_JSON_DEPTH + 1, True)]
)
def test_nesting_is_refused_just_past_its_limit(nested: int, refused: bool) -> None:
    # Given a body nested `nested` levels deep (the object itself is the first)
    inner = nested - 1
    event = with_body('{"prompt": "cat", "x": ' + "[" * inner + "]" * inner + "}")

    # When it reaches the gate
    response = refuse_before_routing(event)

    # Then only the deeper one is refused
    assert (response is not None) is refused
    if response is not None:
        assert str(MAX_JSON_DEPTH) in json.loads(response["body"])["message"]


@pytest.mark.parametrize("size", [2_000, 6_000, 16_000, MAX_BODY_BYTES])
@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ('{"a": ', "}")], ids=["arrays", "objects"]
)
def test_closed_nesting_of_any_size_is_refused_by_the_gate(
    size: int, opening: str, closing: str
) -> None:
    # Given a well-formed body nested as deep as its size allows
    levels = (size - 40) // (len(opening) + len(closing))
    event = with_body('{"prompt": "x", "width": ' + opening * levels + "1" + closing * levels + "}")

    # When it reaches the gate
    response = refuse_before_routing(event)

    # Then it is refused there as too deep, and nothing raised
    assert response is not None
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"] == "invalid_body"


@pytest.mark.parametrize(
    ("digits", "refused"), [(MAX_INTEGER_DIGITS, False), (MAX_INTEGER_DIGITS + 1, True)]
)
def test_integers_are_refused_just_past_their_length(digits: int, refused: bool) -> None:
    event = with_body('{"prompt": "cat", "seed": -' + "9" * digits + "}")
    assert (refuse_before_routing(event) is not None) is refused


@pytest.mark.parametrize(("size", "refused"), [(MAX_BODY_BYTES, False), (MAX_BODY_BYTES + 1, True)])
def test_the_size_limit_is_exact(size: int, refused: bool) -> None:
    prefix = '{"prompt": "cat", "negative_prompt": "'
    event = with_body(prefix + "x" * (size - len(prefix) - 2) + '"}')
    assert len(event["body"]) == size
    response = refuse_before_routing(event)
    assert (response is not None) is refused
    if response is not None:
        assert response["statusCode"] == 413


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "Multipart/Form-Data; charset=utf-8",
        "application/x-www-form-urlencoded",
    ],
)
def test_an_empty_form_is_refused_before_the_resolver_tries_to_parse_it(content_type: str) -> None:
    # Given a request that declares a form (a multipart one with no boundary) and has no body
    event = with_body("")
    event["headers"]["Content-Type"] = content_type

    # When it reaches the gate
    response = refuse_before_routing(event)

    # Then it is refused as the wrong media type, not left to raise in the resolver
    assert response is not None
    assert response["statusCode"] == 415


def test_an_empty_body_without_a_form_type_is_left_to_the_resolver() -> None:
    assert refuse_before_routing(with_body("")) is None


def test_malformed_json_is_left_to_the_resolver_which_names_the_body() -> None:
    assert refuse_before_routing(load_event("api-post-jobs-malformed-json")) is None


@pytest.mark.parametrize("fixture", ODD_BUT_VALID_SUBMISSIONS)
def test_odd_but_valid_submissions_become_jobs(
    submit: Function, resources: MotoResources, fixture: str
) -> None:
    # Given a valid request in an unusual but valid form
    event = load_event(fixture)
    asked = json.loads(event["body"])

    # When it is submitted
    response = submit.invoke(event)

    # Then it is accepted with its prompt intact, and queued
    assert response["statusCode"] == 202, response["body"]
    job = response_json(response)
    assert job["parameters"]["prompt"] == asked["prompt"]
    assert resources.queued_messages() == [{"job_id": job["job_id"]}]


def test_long_unknown_fields_are_not_echoed_and_only_a_few_are_listed(submit: Function) -> None:
    # Given a body with eight unknown fields of 301 characters each
    event = load_event("api-post-jobs-many-long-unknown-fields")

    # When it is submitted
    response = submit.invoke(event)

    # Then none is echoed, five at most are listed, and the rest counted
    assert response["statusCode"] == 422
    body = response_json(response)
    assert [detail["field"] for detail in body["detail"]] == [UNKNOWN_FIELD] * 5
    assert "zzz" not in response["body"]
    assert body["message"].endswith("(and 3 more)")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("steps", "steps"),
        ("s" * MAX_SHOWN_NAME_CHARS, "s" * MAX_SHOWN_NAME_CHARS),
        ("s" * (MAX_SHOWN_NAME_CHARS + 1), UNKNOWN_FIELD),
        # What the fuzz test sent: a control character, an unassigned and a private code point
        ("ZQXJMARK\u00d7I}\U000a1d58\r", UNKNOWN_FIELD),
        ("tab\there", UNKNOWN_FIELD),
        ("zero\u200bwidth", UNKNOWN_FIELD),
    ],
)
def test_an_unknown_field_is_named_only_when_short_and_printable(
    submit: Function, name: str, shown: str
) -> None:
    # Given a body with one unknown field
    event = with_body(json.dumps({"prompt": "cat", name: 1}))

    # When it is submitted
    code, body = submit.call(event)

    # Then the 422 names it as given only when that is safe to show, else says what it is
    assert code == 422
    [detail] = body["detail"]
    assert detail["field"] == shown
    assert body["message"] == f"Invalid request: {shown}: Extra inputs are not permitted"
