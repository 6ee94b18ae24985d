"""`make bench`'s developer-loop shortcuts (tests/perf/bench_devloop.py) on the session's stack.

Its `make up` with nothing changed runs here for real: it must skip sam build and the deploy;
so must `make build` (which `make test` runs beside lint) on the build the session deployed.
The stopped-stack restart and the edit on a hot-reloading stack would redeploy the stack the
other tests share, so only `make bench` runs them; the executor's reload of mounted code is
tested on LocalStack in tests/localstack/test_devloop.py, with the stage's own timer.
"""

from __future__ import annotations

from imagejobs_dev import deploy_inputs
from imagejobs_dev.stack_info import StackInfo, read_state
from tests.perf import bench_devloop
from tests.support.make import make

ROOT = bench_devloop.ROOT


def test_make_up_with_nothing_changed_skips_the_build_and_the_deploy(deployed: StackInfo) -> None:
    # Given the session's stack, deployed by `make up` from this clone

    # When the stage runs `make up` again, timed to the first answer
    times = bench_devloop.timed_up()

    # Then it built and deployed nothing, the API answered, and the stack is the same one
    assert not times["built"]
    assert not times["deployed"]
    assert times["first_call_s"] >= 0
    assert times["total_s"] == times["make_up_s"] + times["first_call_s"]
    assert read_state(ROOT) == deployed
    # and the stage prints it as a median over its rounds
    summary = {"p50": times["total_s"], "p90": times["total_s"], "n": 1}
    figures = {
        key: summary
        for key in (
            "up_unchanged_running_total_s",
            "up_unchanged_stopped_total_s",
            "up_unchanged_stopped_hot_reload_total_s",
            "edit_live_s",
            "revert_live_s",
        )
    }
    assert "make up, unchanged, stack running -> first answer: " in bench_devloop.lines(figures)[0]


def test_make_build_with_nothing_changed_keeps_the_deployed_build(deployed: StackInfo) -> None:
    # Given the build the session's stack was deployed from
    built = deploy_inputs.read_build(ROOT)
    assert built == deploy_inputs.current_build(ROOT)

    # When `make build` runs again
    result = make("build")

    # Then it ran no sam build, and the build is still the one the stack runs
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sam build: skipped, the build is current" in result.stderr
    assert deploy_inputs.read_build(ROOT) == built
