"""A cap on how many execution environments LocalStack starts per function version.

LocalStack starts a new environment for every invocation that finds none free: 10 concurrent
API requests meant 10 Submit environments cold-starting at once on a 2-core machine (a 4 s
submit p99, 648 MiB of Python processes). On AWS those cold starts run on separate machines;
here they compete with each other and with LocalStack.

With this hook an on-demand invocation that finds every environment of its function busy
waits for one to be released while the function already has its cap of environments:
IMAGEJOBS_LAMBDA_MAX_ENVIRONMENTS (a local knob, 2 by default), or the function's reserved
concurrency if that is lower (LocalStack throttles above it anyway). Invocations still run
concurrently up to the cap, each environment still handles one at a time, and environments
are reused as LocalStack reuses them. A wait is bounded: after
IMAGEJOBS_LAMBDA_ENVIRONMENT_WAIT_SECONDS (2 s) the invocation starts an environment of its
own, so a long invocation (a worker near its timeout) never holds others back for long.
Provisioned concurrency is LocalStack's unchanged code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
MAX_ENVIRONMENTS_VARIABLE = "IMAGEJOBS_LAMBDA_MAX_ENVIRONMENTS"
WAIT_SECONDS_VARIABLE = "IMAGEJOBS_LAMBDA_ENVIRONMENT_WAIT_SECONDS"
DEFAULT_MAX_ENVIRONMENTS = 2
DEFAULT_WAIT_SECONDS = 2.0


def _setting(variable: str, default: float) -> float:
    try:
        return float(os.environ.get(variable) or default)
    except ValueError:
        LOG.warning("%s must be a number; using %s", variable, default)
        return default


def environment_cap(reserved: int | None) -> int:
    cap = max(1, int(_setting(MAX_ENVIRONMENTS_VARIABLE, DEFAULT_MAX_ENVIRONMENTS)))
    return cap if reserved is None else max(1, min(cap, reserved))


class _Gate:
    """Per version manager: the environments being started, and a condition for releases."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.starting: dict[str, int] = defaultdict(int)

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()


GATE = _Gate()


def _reserved(function_version: Any) -> int | None:
    from localstack.services.lambda_.invocation.models import lambda_stores

    try:
        version_id = function_version.id
        store = lambda_stores[version_id.account][version_id.region]
        function = store.functions.get(version_id.function_name)
    except (AttributeError, KeyError):
        return None
    return None if function is None else function.reserved_concurrent_executions


@hooks.on_infra_start()
def cap_lambda_environments_per_function() -> None:
    from localstack.services.lambda_.invocation.assignment import AssignmentService
    from localstack.services.lambda_.invocation.execution_environment import (
        ExecutionEnvironment,
        InvalidStatusException,
    )
    from localstack.services.lambda_.invocation.lambda_models import InitializationType

    original_get = AssignmentService.get_environment
    original_release = ExecutionEnvironment.release
    original_stop = AssignmentService.stop_environment
    wait_seconds = _setting(WAIT_SECONDS_VARIABLE, DEFAULT_WAIT_SECONDS)

    def release(self: Any) -> None:
        try:
            original_release(self)
        finally:
            GATE.notify()

    def stop_environment(self: Any, environment: Any) -> None:
        try:
            original_stop(self, environment)
        finally:
            GATE.notify()

    def reserve_one(environments: list[Any]) -> Any:
        for environment in environments:
            with contextlib.suppress(InvalidStatusException):
                environment.reserve()
                return environment
        return None

    @contextlib.contextmanager
    def get_environment(
        self: Any, version_manager_id: str, function_version: Any, provisioning_type: Any
    ) -> Iterator[Any]:
        if provisioning_type != InitializationType.on_demand:
            with original_get(self, version_manager_id, function_version, provisioning_type) as env:
                yield env
            return
        cap = environment_cap(_reserved(function_version))
        deadline = time.monotonic() + wait_seconds
        chosen = None
        with GATE.changed:
            while True:
                environments = [
                    env
                    for env in list(self.environments[version_manager_id].values())
                    if env.initialization_type == provisioning_type
                ]
                chosen = reserve_one(environments)
                if chosen is not None:
                    break
                count = len(environments) + GATE.starting[version_manager_id]
                remaining = deadline - time.monotonic()
                if count < cap or remaining <= 0:
                    GATE.starting[version_manager_id] += 1
                    break
                GATE.changed.wait(timeout=remaining)
        if chosen is None:
            # LocalStack's own path: it starts the environment (another may have been released
            # meanwhile, and it takes that one), reserves it, releases or stops it afterwards.
            entered = False
            try:
                with original_get(
                    self, version_manager_id, function_version, provisioning_type
                ) as env:
                    entered = True
                    with GATE.changed:
                        GATE.starting[version_manager_id] -= 1
                    yield env
            finally:
                if not entered:
                    with GATE.changed:
                        GATE.starting[version_manager_id] -= 1
                        GATE.changed.notify_all()
            return
        # An environment reserved here: released or stopped as LocalStack's get_environment does.
        try:
            yield chosen
            chosen.release()
        except InvalidStatusException as invalid:
            LOG.error("InvalidStatusException: %s", invalid)
        except Exception:
            self.stop_environment(chosen)
            raise

    AssignmentService.get_environment = get_environment  # type: ignore[method-assign,assignment]
    AssignmentService.stop_environment = stop_environment  # type: ignore[method-assign]
    ExecutionEnvironment.release = release  # type: ignore[method-assign]
