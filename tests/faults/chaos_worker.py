"""A test-only Lambda entry point: the real worker handler with faults injected into its engine.

Deployed only by tests/faults/campaign.py, beside the stack, from a copy of the built worker
package. Production code has no way to select it: the template's ImageEngine allows `pillow`
only, and this module is not part of `functions/`.

A job's prompt says which fault it gets:
- `[fault:transient:N]` fails with a TransientEngineError on its first N attempts;
- `[fault:permanent]` fails with a PermanentEngineError;
- `[fault:crash]` kills the whole execution environment mid-render on its first attempt
  (after the job moved to running: its `started` webhook event is written, not yet sent);
- `[fault:crash-after-complete]` kills it right after the job is recorded succeeded on its first
  attempt, before the `completed` event is sent: only the outbox's re-send can deliver it.
Attempts are counted in files under CHAOS_STATE_DIR (the executor runs on the host).
"""

import dataclasses
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import imagejobs.handlers.worker as worker
from imagejobs.engines.base import Inputs, JobParameters, RenderedImage
from imagejobs.exceptions import PermanentEngineError, TransientEngineError
from imagejobs.models.transitions import SUCCEED, JobChange

FAULT = re.compile(r"\[fault:(transient|permanent|crash-after-complete|crash)(?::(\d+))?\]")
STATE_DIR = Path(os.environ["CHAOS_STATE_DIR"])


def _attempt(prompt: str) -> int:
    """Counts this render of the prompt (1 on the first attempt) across processes."""
    marker = STATE_DIR / hashlib.sha256(prompt.encode()).hexdigest()
    with marker.open("a") as tally:
        tally.write(".")
    return len(marker.read_text())


# Set by a render that must crash once its job is recorded succeeded.
_crash_after_complete = False


class ChaosEngine:
    def __init__(self, real: Any) -> None:
        self.real = real
        # The faults are injected around the real engine, which does the rendering.
        self.engine_id = real.engine_id

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        fault = FAULT.search(parameters.prompt)
        if fault:
            kind, count = fault.group(1), int(fault.group(2) or 1)
            attempt = _attempt(parameters.prompt)
            if kind == "transient" and attempt <= count:
                raise TransientEngineError(f"injected: throttled (attempt {attempt})")
            if kind == "permanent":
                raise PermanentEngineError("injected: content refused")
            if kind == "crash" and attempt == 1:
                os._exit(137)  # as if the sandbox were killed: no cleanup, no answer
            if kind == "crash-after-complete" and attempt == 1:
                global _crash_after_complete
                _crash_after_complete = True
        return self.real.render(parameters, inputs)  # type: ignore[no-any-return]


class ChaosJobs:
    """The real repository; a job's success kills the environment right after its write when
    the render asked for it."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def apply(self, change: JobChange) -> Any:
        done = self.real.apply(change)
        if change.transition is SUCCEED and _crash_after_complete:
            os._exit(137)
        return done


worker.ports = dataclasses.replace(
    worker.ports, engine=ChaosEngine(worker.ports.engine), jobs=ChaosJobs(worker.ports.jobs)
)
handler = worker.handler
