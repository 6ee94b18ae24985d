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
from collections.abc import Callable, Iterator
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

    def reserve_or_start(
        self, environments: Callable[[], list[Any]], manager_id: str, cap: int, deadline: float
    ) -> Any:
        """A free environment of `environments()`, reserved; or None, and a start counted for
        `manager_id`, once fewer than `cap` run or start, or at `deadline`."""
        with self.changed:
            while True:
                found = environments()
                chosen = _reserve_one(found)
                if chosen is not None:
                    return chosen
                remaining = deadline - time.monotonic()
                if len(found) + self.starting[manager_id] < cap or remaining <= 0:
                    self.starting[manager_id] += 1
                    return None
                self.changed.wait(timeout=remaining)

    def started(self, manager_id: str) -> None:
        with self.changed:
            self.starting[manager_id] -= 1
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


def _reserve_one(environments: list[Any]) -> Any:
    from localstack.services.lambda_.invocation.execution_environment import (
        InvalidStatusException,
    )

    for environment in environments:
        with contextlib.suppress(InvalidStatusException):
            environment.reserve()
            return environment
    return None


class _Capped:
    """The patched methods: LocalStack's own, with the gate around them."""

    def __init__(self, get: Callable[..., Any], release: Any, stop: Any) -> None:
        self.original_get = get
        self.original_release = release
        self.original_stop = stop
        self.wait_seconds = _setting(WAIT_SECONDS_VARIABLE, DEFAULT_WAIT_SECONDS)

    def release(self, environment: Any) -> None:
        try:
            self.original_release(environment)
        finally:
            GATE.notify()

    def stop_environment(self, service: Any, environment: Any) -> None:
        try:
            self.original_stop(service, environment)
        finally:
            GATE.notify()

    @contextlib.contextmanager
    def get_environment(
        self, service: Any, manager_id: str, function_version: Any, provisioning_type: Any
    ) -> Iterator[Any]:
        from localstack.services.lambda_.invocation.lambda_models import InitializationType

        arguments = (service, manager_id, function_version, provisioning_type)
        if provisioning_type != InitializationType.on_demand:
            with self.original_get(*arguments) as environment:
                yield environment
            return
        chosen = GATE.reserve_or_start(
            lambda: [
                environment
                for environment in list(service.environments[manager_id].values())
                if environment.initialization_type == provisioning_type
            ],
            manager_id,
            environment_cap(_reserved(function_version)),
            time.monotonic() + self.wait_seconds,
        )
        if chosen is None:
            with self._start(arguments) as environment:
                yield environment
        else:
            with _using(service, chosen) as environment:
                yield environment

    @contextlib.contextmanager
    def _start(self, arguments: tuple[Any, ...]) -> Iterator[Any]:
        """LocalStack's own path: it starts the environment (another may have been released
        meanwhile, and it takes that one), reserves it, releases or stops it afterwards."""
        counted = True
        try:
            with self.original_get(*arguments) as environment:
                GATE.started(arguments[1])
                counted = False
                yield environment
        finally:
            if counted:
                GATE.started(arguments[1])


@contextlib.contextmanager
def _using(service: Any, environment: Any) -> Iterator[Any]:
    """An environment reserved here: released or stopped as LocalStack's get_environment does."""
    from localstack.services.lambda_.invocation.execution_environment import (
        InvalidStatusException,
    )

    try:
        yield environment
        environment.release()
    except InvalidStatusException as invalid:
        LOG.error("InvalidStatusException: %s", invalid)
    except Exception:
        service.stop_environment(environment)
        raise


@hooks.on_infra_start()
def cap_lambda_environments_per_function() -> None:
    from localstack.services.lambda_.invocation.assignment import AssignmentService
    from localstack.services.lambda_.invocation.execution_environment import ExecutionEnvironment

    capped = _Capped(
        AssignmentService.get_environment,
        ExecutionEnvironment.release,
        AssignmentService.stop_environment,
    )
    # Functions, so that each binds to its LocalStack object as the method it replaces.
    AssignmentService.get_environment = (  # type: ignore[method-assign,assignment]
        lambda service, *arguments: capped.get_environment(service, *arguments)
    )
    AssignmentService.stop_environment = (  # type: ignore[method-assign]
        lambda service, environment: capped.stop_environment(service, environment)
    )
    ExecutionEnvironment.release = lambda environment: capped.release(environment)  # type: ignore[method-assign]
