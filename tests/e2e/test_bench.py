"""`make bench`'s end-to-end stages at their smallest size, on the session's deployed stack.

- Load: a handful of jobs over HTTP, at concurrency 2; two rounds of it (bench_chain).
- Idle job and the stack's memory (bench_chain).
- A burst at a model's quota: 4 jobs at 2 requests a second (bench_quota; the 120-job burst is
  tests/e2e/test_bedrock_quota.py).
- Developer loop: the session's stack was deployed by the real `make up`, timed as the loop
  times it (`timed_up`); that is the loop's unit. Its restart and its redeploy after a change
  are more of the same `make up` and would add minutes, so only `make bench` runs them.

The in-process stages are in tests/perf/test_bench.py.
"""

from __future__ import annotations

import pytest

from imagejobs_dev.localstack import Layout, LocalStack, running_pid
from imagejobs_dev.stack_info import StackInfo, read_state
from tests.perf import bench_chain, bench_cost, bench_e2e, bench_quota, bench_soak, report
from tests.support.local_bedrock import LocalBedrock

ROOT = bench_e2e.ROOT
JOBS = 3


def test_the_load_stage_runs_a_handful_of_jobs_to_the_end(deployed: StackInfo) -> None:
    # Given the deployed stack

    # When the load stage submits a handful of jobs at concurrency 2
    load = bench_e2e.load(JOBS, 2, deployed)

    # Then every job was accepted and succeeded, none was lost or dead-lettered, and each
    # figure the report prints is there (the load rounds' test checks the printout)
    assert (load["accepted"], load["succeeded"], load["lost"], load["failed"]) == (JOBS, JOBS, 0, 0)
    assert load["dead_letter_messages"] == 0
    assert load["submit_latency_ms"]["n"] == JOBS
    assert load["submit_to_succeeded_ms"]["n"] == JOBS
    assert 0 < load["submit_latency_ms"]["p50"] <= load["submit_latency_ms"]["p99"]
    assert load["submit_to_succeeded_ms"]["p50"] > 0
    assert load["completed_per_s"] > 0
    if running_pid(Layout(ROOT)) is not None:  # our host-mode LocalStack: its workers are ours
        assert load["worker_processes"] >= 1
        assert load["worker_peak_rss_mib"] > 0


def test_the_developer_loop_times_make_up_to_the_first_api_call(
    made_up: tuple[StackInfo, dict[str, float]],
) -> None:
    # Given the session's `make up`, timed as the developer loop times it
    deployed, times = made_up

    # When its figures are read, and printed as the loop's line
    printed = report.table(
        {"developer_loop": {"up_from_stopped": times, "redeploy_after_change": times}}
    )

    # Then make up took its time, the API answered after it, and make up recorded the stack it
    # printed for the client and the other tools
    assert times["make_up_s"] > 0
    assert times["first_call_s"] >= 0
    assert times["total_s"] == times["make_up_s"] + times["first_call_s"]
    assert read_state(ROOT) == deployed
    assert "make up on a stopped stack: " in printed
    assert "s to the first successful call" in printed


def test_the_soak_stage_samples_localstack_and_reports_its_growth(localstack: LocalStack) -> None:
    # Given the session's LocalStack

    # When the soak stage invokes a probe function a few dozen times, sampling four times
    soak = bench_soak.run(localstack, invocations=40, concurrency=2, samples=4)

    # Then every invocation succeeded, LocalStack was sampled before and at each interval, and
    # the growth the report prints is there
    assert (soak["invocations"], soak["errors"]) == (40, 0)
    assert [row["invocations"] for row in soak["samples"]] == [0, 10, 20, 30, 40]
    assert all(row["threads"] > 0 and row["maps"] > 0 for row in soak["samples"])
    assert set(soak["per_1000"]) == {"threads", "maps", "rss_mib"}
    assert "Soak: 40 Lambda invocations at concurrency 2" in report.table({"soak": soak})


def test_the_load_rounds_stage_gives_each_figure_its_spread(deployed: StackInfo) -> None:
    # Given the deployed stack

    # When two rounds of a handful of jobs run
    load = bench_chain.load_rounds(2, JOBS, 2, deployed)

    # Then both rounds completed every job, each figure has its spread over the two rounds,
    # and the report prints a line per round
    assert [r["succeeded"] for r in load["rounds"]] == [JOBS, JOBS]
    assert (load["lost"], load["failed"]) == (0, 0)
    for name, figure in load["spread"].items():
        assert figure["n"] == 2, name
        assert figure["min"] <= figure["median"] <= figure["max"], name
    printed = report.table({"load": load})
    assert "round 1: completed" in printed
    assert "round 2: completed" in printed


def test_the_idle_stage_times_single_jobs_to_succeeded(deployed: StackInfo) -> None:
    # Given the deployed stack

    # When two idle jobs run one at a time
    idle = bench_chain.idle(2, deployed)

    # Then both succeeded, and the spread of their times is printed
    assert idle["statuses"] == {"succeeded": 2}
    assert idle["submit_to_succeeded_ms"]["n"] == 2
    assert idle["submit_ms"]["median"] > 0
    assert "Idle job (256x256 png)" in report.table({"idle": idle})


def test_the_memory_stage_sums_localstack_and_its_lambda_environments(
    deployed: StackInfo,
) -> None:
    # Given the deployed stack on our own LocalStack (one named in the environment is not ours)
    if running_pid(Layout(ROOT)) is None:
        assert bench_chain.stack_memory() is None
        return

    # When its memory is read
    memory = bench_chain.stack_memory()

    # Then the total is LocalStack's own plus every process under it, and the functions the
    # session has run are among them
    assert memory is not None
    assert memory["localstack_rss_mib"] > 0
    parts = memory["localstack_rss_mib"] + memory["other_processes_rss_mib"]
    assert memory["total_rss_mib"] == pytest.approx(parts + sum(memory["lambda_rss_mib"].values()))
    assert memory["lambda_environments"].get("SubmitFunction", 0) >= 1
    assert "Memory at rest after the load:" in report.table({"memory_after_load": memory})


def test_the_quota_stage_drains_a_handful_of_throttled_jobs(deployed: StackInfo) -> None:
    # Given the deployed stack, its functions pointed at the Bedrock stand-in
    if LocalBedrock.of(deployed) is None:
        pytest.skip("the stack's functions reach no Bedrock stand-in (not our LocalStack)")

    # When the quota stage sends 4 jobs to a model admitting 2 requests a second
    quota = bench_quota.burst(4, 2, "second", deployed)

    # Then all 4 succeeded, the drain is set against the quota's bound, and the report prints it
    assert (quota["succeeded"], quota["failed"], quota["dead_letter_messages"]) == (4, 0, 0)
    assert quota["quota_bound_s"] == 2
    assert quota["drain_vs_bound"] == pytest.approx(quota["drain_s"] / 2)
    assert quota["model_calls"] >= 4
    printed = report.table({"quota": quota})
    assert "A burst at a model's quota: 4 jobs" in printed
    assert "the quota's bound (jobs / rate) is 2 s" in printed


def test_the_cost_stage_counts_each_path_and_prices_each_model(deployed: StackInfo) -> None:
    # When the cost stage runs one job per client style
    costs = bench_cost.calls_and_cost(1, deployed)

    # Then each style ended its job and priced it, each path's calls were counted, and every
    # model of the catalogue has its cost per 1,000 images
    assert {style: row["jobs"] for style, row in costs["styles"].items()} == {
        "polling": 1,
        "prefer_wait": 1,
        "webhook": 1,
        "sdk": 1,
    }
    assert all(row["platform_usd_per_1000_images"] > 0 for row in costs["styles"].values())
    assert costs["calls_per_path"]["submit"]["sqs.SendMessage"] == 1
    assert costs["calls_per_path"]["worker_job"]["s3.PutObject"] == 1
    assert costs["per_model"]["stability.sd3-5-large-v1:0"]["model_usd_per_1000_images"] > 0
    assert "Calls and cost on LocalStack" in report.table({"costs": costs})


def test_the_estimate_stage_compares_estimates_with_starts(deployed: StackInfo) -> None:
    # When a small backlog's estimates are compared with its starts
    estimates = bench_cost.estimates(12, deployed, side=256)

    # Then every job ended, and the report prints what was measured (a fast drain may leave
    # no job queued when read: then it says so)
    assert len(estimates["timeline"]) == 12
    assert "Estimated starts" in report.table({"estimates": estimates})
