"""`Cancel-After` on every submit route: the real submit handler on moto. A duration as
Replicate spells it sets the job's deadline from its submit; anything else is a 400 that names
the header, and makes no job."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from imagejobs.exceptions import InvalidHeaderError
from imagejobs.handlers.requests import cancel_after
from tests.support.events import load_event, with_headers
from tests.support.functions import Function
from tests.support.moto_aws import MotoResources

SUBMIT_ROUTES = ["api-post-jobs", "api-post-generate", "api-post-generate-image"]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("90s", 90), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2m5s", 125), ("24h", 86400)],
)
def test_a_duration_as_replicate_spells_it_is_read(header: str, seconds: int) -> None:
    assert cancel_after(header) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "header", ["", "90", "1.5m", "5 minutes", "-5s", "5s1m", "1d", "PT5M", "0s", "25h", "24h1s"]
)
def test_anything_else_is_refused_naming_the_header(header: str) -> None:
    # Given a header that is no duration Cancel-After takes, or one out of its range
    # When it is read, then it is refused, naming the header
    with pytest.raises(InvalidHeaderError) as refused:
        cancel_after(header)
    assert refused.value.field == "Cancel-After"


@pytest.mark.parametrize("route", SUBMIT_ROUTES)
def test_each_submit_route_records_the_deadline_from_submit(
    submit: Function, resources: MotoResources, route: str
) -> None:
    # Given a submit with a five-minute deadline
    event = with_headers(load_event(route), Cancel_After="5m")

    # When it is accepted
    code, _, body = submit.answer(event)

    # Then the job's deadline is five minutes after its submit
    assert code in (200, 202)
    job = resources.jobs.get(body["job_id"])
    assert job is not None
    assert job.deadline_at == job.created_at + timedelta(minutes=5)
    if route == "api-post-jobs":
        assert datetime.fromisoformat(body["deadline_at"]) == job.deadline_at


@pytest.mark.parametrize("route", SUBMIT_ROUTES)
@pytest.mark.parametrize("header", ["soon", "0s", "48h"])
def test_a_bad_deadline_is_a_400_naming_the_header_and_makes_no_job(
    submit: Function, resources: MotoResources, route: str, header: str
) -> None:
    # Given a submit whose Cancel-After is no duration, or out of bounds
    event = with_headers(load_event(route), Cancel_After=header)

    # When it is sent
    code, _, body = submit.answer(event)

    # Then it is refused, naming the header, and nothing was queued
    assert (code, body["error"], body["detail"][0]["field"]) == (
        400,
        "validation_error",
        "Cancel-After",
    )
    assert resources.queued_messages() == []
