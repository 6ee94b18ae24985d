"""The CloudWatch dashboard in template.yaml: its body is valid once CloudFormation substitutes
it, it shows what operators need (the issue's list), and every metric of ours it draws is one
the functions write, so a renamed metric cannot leave an empty graph."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support import template

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions" / "imagejobs"
QUEUES = {
    "JobsQueue.QueueName": "jobs-queue",
    "JobsDeadLetterQueue.QueueName": "jobs-dlq",
    "WebhookDeadLetterQueue.QueueName": "webhooks-dlq",
}


@pytest.fixture(scope="module")
def widgets() -> list[dict[str, Any]]:
    resolve = template.Resolver({}, QUEUES, substitute=True)
    body = resolve(template.properties("Dashboard")["DashboardBody"])
    return json.loads(body)["widgets"]  # type: ignore[no-any-return]


def drawn(widget: dict[str, Any]) -> list[tuple[str, str]]:
    """(namespace, metric name) of each series, a SEARCH's included."""
    series = []
    for row in widget["properties"]["metrics"]:
        if isinstance(row[0], dict):
            query = row[0]["expression"]
            namespace = re.search(r"\{(\w+),", query)
            name = re.search(r'MetricName="(\w+)"', query)
            assert namespace, query
            assert name, query
            series.append((namespace[1], name[1]))
        else:
            series.append((row[0], row[1]))
    return series


def test_the_dashboard_shows_what_the_service_needs_watched(
    widgets: list[dict[str, Any]],
) -> None:
    # Given the dashboard's widgets, as CloudFormation substitutes them
    titles = " | ".join(w["properties"]["title"] for w in widgets)
    series = {name for widget in widgets for _, name in drawn(widget)}

    # Then it has the queue's age and depth, the queue wait and model latency per model, the
    # throttles, the jobs by end state, the webhooks' delivery age, the dead letters and cost
    assert {"ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"} <= series
    assert {"QueueWait", "ModelLatency", "ModelThrottles"} <= series
    assert {"JobsSucceeded", "JobsFailed", "JobsCanceled", "JobsPastDeadline"} <= series
    assert {"WebhookDeliveryAge", "PlatformCostUSD", "ModelCostUSD"} <= series
    assert "per model" in titles
    assert "Cost per hour" in titles


def test_the_queues_it_watches_are_the_stacks_own(widgets: list[dict[str, Any]]) -> None:
    watched = {
        row[3]
        for widget in widgets
        for row in widget["properties"]["metrics"]
        if isinstance(row[0], str) and row[0] == "AWS/SQS"
    }
    assert watched == set(QUEUES.values())


def test_every_metric_of_ours_it_draws_is_one_the_functions_write(
    widgets: list[dict[str, Any]],
) -> None:
    # Given every name the functions' code gives a metric (add_metric, per_model, the maps
    # of names they pass on)
    source = "\n".join(path.read_text() for path in FUNCTIONS.rglob("*.py"))
    written = set(re.findall(r'name="(\w+)"', source)) | set(re.findall(r'"([A-Z]\w+)"', source))

    # Then each ImageJobs series on the dashboard is one of them
    ours = {name for widget in widgets for ns, name in drawn(widget) if ns == "ImageJobs"}
    assert ours
    assert ours <= written, ours - written


@pytest.mark.parametrize(
    ("models", "memory"), [("pillow", 1024), ("stability.sd3-5-large-v1:0", 256)]
)
def test_the_worker_is_sized_to_its_engine(models: str, memory: int) -> None:
    # A Bedrock worker mostly waits on the model, billed per GB-second of the wait
    resolve = template.Resolver({"Models": models})
    assert resolve(template.function_setting("WorkerFunction", "MemorySize")) == memory
