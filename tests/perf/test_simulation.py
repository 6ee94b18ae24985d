"""The discrete-event model of a burst (tests/perf/simulation.py), run small as `make test`
runs it: every job ends once, the limits it models bind where they should, and the doc's
scenarios print."""

from __future__ import annotations

from dataclasses import replace

from tests.perf import report_cost, simulation
from tests.perf.simulation import Assumptions, simulate

JOBS = 200


def test_every_job_of_a_burst_ends_once_and_none_fails_within_the_quota() -> None:
    # Given a burst well within the model's quota
    assume = replace(Assumptions(), model_quota_per_min=6000)

    # When it is simulated from one tenant and from ten
    runs = [simulate(JOBS, tenants, assume) for tenants in (1, 10)]

    # Then every job started and ended, none failed, none waited on the model
    for run in runs:
        assert (run.jobs, run.failed, run.throttled_waits) == (JOBS, 0, 0)
        assert run.queue_age_s["n"] == JOBS
        assert run.drain_s > 0


def test_one_tenant_is_held_to_its_api_rate_and_its_cap_of_open_jobs() -> None:
    # Given one tenant, its key's 20 requests/s, and a cap of 50 open jobs
    assume = replace(Assumptions(), open_jobs_per_tenant=50, model_quota_per_min=6000)

    # When it submits the burst
    run = simulate(JOBS, 1, assume)

    # Then submitting took at least the burst's size over the rate, and the cap refused some
    assert run.submitted_by_s >= (JOBS - assume.key_burst) / assume.key_rate_per_s
    assert run.refused_at_cap > 0
    assert run.failed == 0


def test_a_quota_smaller_than_the_workers_demand_makes_jobs_wait_for_it() -> None:
    # Given a model quota of 6 requests a minute for ten concurrent workers
    assume = replace(Assumptions(), model_quota_per_min=6)

    # When 30 jobs come at once
    run = simulate(30, 3, assume)

    # Then jobs were throttled and waited, and the drain took the quota's pace (6 a minute)
    assert run.throttled_waits > 0
    assert run.drain_s >= (30 - 6) / 6 * 60


def test_the_doc_s_scenarios_print() -> None:
    rows = simulation.scenarios(JOBS)
    printed = "\n".join(report_cost.simulation(rows))
    assert [row["tenants"] for row in rows] == [1, 100, 100]
    assert "Simulated burst" in printed
    assert "failed" in printed
