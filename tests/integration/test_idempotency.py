"""Idempotency-Key on the submit routes: a client retry never makes a second job."""

import json
from typing import Any

import pytest

from tests.support.events import with_key
from tests.support.functions import Function
from tests.support.moto_aws import MotoResources


@pytest.mark.parametrize("fixture", ["api-post-jobs", "api-post-generate"])
def test_the_same_key_and_body_return_the_first_job_and_queue_once(
    submit: Function, resources: MotoResources, fixture: str
) -> None:
    # Given a request sent with an Idempotency-Key
    first = submit.call(with_key(fixture, "order-42"))

    # When the client retries it with the same key
    second = submit.call(with_key(fixture, "order-42"))

    # Then both answers name the same job and only one message was queued
    assert first == second
    assert len(resources.queued_messages()) == 1


def test_the_same_key_with_another_body_is_a_422(
    submit: Function, resources: MotoResources
) -> None:
    # Given a job submitted with a key
    submit.invoke(with_key("api-post-jobs", "order-43", {"prompt": "a red boat"}))

    # When the key is reused for a different request
    code, body = submit.call(with_key("api-post-jobs", "order-43", {"prompt": "a blue boat"}))

    # Then it is refused clearly, and nothing more is queued
    assert code == 422
    assert body["error"] == "idempotency_key_reused"
    assert len(resources.queued_messages()) == 1


def test_without_a_key_every_submit_is_a_new_job(
    submit: Function, resources: MotoResources
) -> None:
    # Given the same request twice, without a key
    first = submit.call("api-post-jobs")
    second = submit.call("api-post-jobs")

    # Then they are two jobs
    assert first[1]["job_id"] != second[1]["job_id"]
    assert len(resources.queued_messages()) == 2


def test_keys_are_per_tenant(submit: Function, resources: MotoResources) -> None:
    # Given tenant A's keyed job
    first = submit.call(with_key("api-post-jobs", "shared-key"))

    # When tenant B happens to use the same key and body
    event = with_key("api-post-jobs", "shared-key")
    event["requestContext"]["identity"]["apiKeyId"] = "tenant-b-key-id"
    second = submit.call(event)

    # Then B gets a job of its own
    assert second[1]["job_id"] != first[1]["job_id"]


def test_a_failed_enqueue_is_a_503_and_the_same_key_may_retry(
    submit: Function, resources: MotoResources
) -> None:
    # Given a queue that refuses the first send
    real_send = submit.module.ports.queue._client.send_message
    calls = {"n": 0}

    def flaky_send(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise submit.module.ports.queue._client.exceptions.QueueDoesNotExist(
                {"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue"}}, "SendMessage"
            )
        return real_send(**kwargs)

    submit.module.ports.queue._client.send_message = flaky_send

    # When a keyed submit fails, and the client retries with the same key
    failed = submit.call(with_key("api-post-jobs", "order-44"))
    retried = submit.call(with_key("api-post-jobs", "order-44"))

    # Then the first is a 503 and the retry makes the job, queued once
    assert failed[0] == 503
    assert retried[0] == 202
    assert len(resources.queued_messages()) == 1


def test_a_malformed_key_is_a_400_naming_the_header(
    submit: Function, resources: MotoResources
) -> None:
    # Given a key with a space and a non-ASCII character
    # When it is sent
    code, body = submit.call(with_key("api-post-jobs", "not ok é"))

    # Then it is a 400 that names the header
    assert code == 400
    # (header names are case-insensitive; Powertools reports them lower-cased)
    assert body["detail"][0]["field"].lower() == "idempotency-key"
    assert body["detail"][0]["loc"][0] == "header"


def test_a_retry_is_answered_from_a_record_written_before_job_fields_were_renamed(
    submit: Function, resources: MotoResources
) -> None:
    # Given a job answered once, its idempotency record as the releases before wrote it
    # (`engine` where the job now has `engine_id`, `owner` where it has `tenant`,
    # `image_format` where it now writes `format`)
    _, first = submit.call(with_key("api-post-jobs", "order-7"))
    [record] = resources.dynamodb.scan(TableName="idempotency-table")["Items"]
    data = json.loads(record["data"]["S"])
    data["engine"] = data.pop("engine_id")
    data["owner"] = data.pop("tenant")
    data["parameters"]["image_format"] = data["parameters"].pop("format")
    record["data"] = {"S": json.dumps(data)}
    resources.dynamodb.put_item(TableName="idempotency-table", Item=record)

    # When the client retries with the same key
    code, second = submit.call(with_key("api-post-jobs", "order-7"))

    # Then it gets the same job, as before
    assert (code, second) == (202, first)
