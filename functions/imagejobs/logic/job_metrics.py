"""The CloudWatch metrics a job's life leaves, for the dashboard (template.yaml, `Dashboard`).

Counts by end state, and for each ended job its cost (so the dashboard can sum it per hour);
per model, the time a job waited in the queue before it started and each model call's time.
Metrics that carry a model are their own EMF documents (`single_metric`): a worker's batch may
mix models, and the shared `metrics` object has one set of dimensions per invocation.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from imagejobs.models.cost import job_cost
from imagejobs.models.domain import Job, JobStatus
from imagejobs.observability import metrics

ENDED = {
    JobStatus.SUCCEEDED: "JobsSucceeded",
    JobStatus.FAILED: "JobsFailed",
    JobStatus.CANCELED: "JobsCanceled",
}


def job_ended(job: Job) -> None:
    """One more job in its end state, and what it cost."""
    metrics.add_metric(name=ENDED[job.status], unit=MetricUnit.Count, value=1)
    cost = job_cost(job)
    if cost is not None:
        metrics.add_metric(name="PlatformCostUSD", unit=MetricUnit.NoUnit, value=cost.platform)
        if cost.model is not None:  # None: no price could be read for the model
            metrics.add_metric(name="ModelCostUSD", unit=MetricUnit.NoUnit, value=cost.model)


def per_model(name: str, unit: MetricUnit, value: float, model: str) -> None:
    """A metric with the job's model as a dimension, written at once."""
    if metrics.namespace is None:  # no POWERTOOLS_METRICS_NAMESPACE (a unit test): nowhere to go
        return
    with single_metric(name=name, unit=unit, value=value, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="model", value=model)
