"""Stops LocalStack from keeping one dead thread per Lambda invocation.

LocalStack 2026.3.0 records each invocation's CloudWatch metrics in a new thread
(`LambdaVersionManager.invoke` in `localstack/services/lambda_/invocation/version_manager.py`)
started with `localstack.utils.threads.start_thread`, which appends every thread it starts to
the module list `TMP_THREADS` so that shutdown can stop it. Nothing ever removes a finished
thread from that list. CPython releases a thread's stack (8 MiB of address space, two memory
maps) only once the thread is joined or its last reference is dropped, so the list keeps every
stack mapped: after about 32,000 invocations the process reaches the kernel's map limit
(vm.max_map_count, 65,530), cannot start threads, drops connections, stops polling queues and
no longer stops on SIGTERM.

The metrics threads end by themselves and hold nothing shutdown must stop, so the Lambda
version manager starts its threads without the shutdown hook: no reference is kept, and each
stack is released when its thread ends. (The version manager's only other thread, the
provisioned-concurrency scaler, is stopped through the manager itself.)
Upstream, the fix belongs in `start_thread` (drop finished threads from `TMP_THREADS`) or in the
version manager (one long-lived metrics thread).
"""

from __future__ import annotations

import functools

from localstack.runtime import hooks


@hooks.on_infra_start()
def start_lambda_metric_threads_without_keeping_them() -> None:
    from localstack.services.lambda_.invocation import version_manager
    from localstack.utils.threads import start_thread

    version_manager.start_thread = functools.partial(start_thread, _shutdown_hook=False)  # type: ignore[assignment]
