"""Which process is our LocalStack: the state file that records it, and how to end it.

A pid alone is not an identity (pids are reused), so the record keeps the process's start
time too; a process that does not match the record is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from imagejobs_dev.localstack.layout import Layout


@dataclass(frozen=True)
class Record:
    """What the state file says about a LocalStack this tool started."""

    pid: int
    started: str | None
    endpoint_url: str | None
    # The install fingerprint it runs with, to tell when it runs outdated code.
    installed: str | None

    def running_pid(self) -> int | None:
        """The recorded pid if that process is still the one we started, else None."""
        if self.pid <= 1 or not alive(self.pid):
            return None
        if self.started is not None:
            return self.pid if start_time(self.pid) == self.started else None
        # A record without a start time: only trust a LocalStack runtime process.
        with contextlib.suppress(OSError):
            if b"localstack.runtime.main" in Path(f"/proc/{self.pid}/cmdline").read_bytes():
                return self.pid
        return None


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2) is in parentheses and may contain spaces.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_state(root: Path, pid: int, endpoint: str, installed: str | None = None) -> None:
    """Records a LocalStack this tool started, for stop() and for reuse."""
    layout = Layout(root)
    layout.home.mkdir(parents=True, exist_ok=True)
    state = {
        "pid": pid,
        "started": start_time(pid),
        "endpoint_url": endpoint,
        "installed": installed,
    }
    layout.state.write_text(json.dumps(state))


def read_state(layout: Layout) -> Record | None:
    """The record, whether or not its process still runs; None without a readable one."""
    try:
        state = json.loads(layout.state.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("pid"), int):
        return None
    return Record(
        pid=state["pid"],
        started=state.get("started"),
        endpoint_url=state.get("endpoint_url"),
        installed=state.get("installed"),
    )


def running(layout: Layout) -> Record | None:
    """The record of our LocalStack if its process still runs."""
    record = read_state(layout)
    return record if record is not None and record.running_pid() is not None else None


def running_pid(layout: Layout) -> int | None:
    """Our LocalStack's pid, if it runs (e.g. to find its Lambda processes)."""
    record = read_state(layout)
    return record.running_pid() if record else None


def terminate(pid: int, grace: float) -> bool:
    """SIGTERM to the process (and the group it leads), then SIGKILL after `grace` seconds.

    Returns whether SIGTERM was enough.
    """
    _signal(pid, signal.SIGTERM)
    if _wait_gone(pid, grace):
        return True
    # Seen here: SIGTERM can hang at "Stopping all services".
    print(f"LocalStack ignored SIGTERM for {grace:.0f} s; sending SIGKILL", file=sys.stderr)
    _signal(pid, signal.SIGKILL)
    _wait_gone(pid, 5)
    return False


def _reap(pid: int) -> None:
    """Collects the exit status if we are the parent, so the pid stops looking alive."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _signal(pid: int, signum: int) -> None:
    """To the process group the process leads (its Lambda children), else the process alone."""
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid and pid != os.getpgrp():
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        _reap(pid)
        if not alive(pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
