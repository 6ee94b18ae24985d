"""One execution environment's process, for the host-process executor (executor.py): the
bootstrap child, the threads that read its two outputs, and its log lines per invocation."""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from imagejobs_localstack.lambda_bootstrap import END_OF_LOGS

LOG = logging.getLogger(__name__)
# After a result, how long to wait for the end-of-logs marker that follows the handler's output.
LOG_DRAIN_SECONDS = 2.0
# Lines of an environment's output kept for get_logs() (startup failures, debugging).
KEPT_LOG_LINES = 2000


def peak_memory_mb(pid: int) -> int | None:
    """The process's peak resident memory (Linux VmHWM), for the REPORT line."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"


class Child:
    """One running bootstrap process and the threads that read its two outputs."""

    def __init__(self, process: subprocess.Popen[bytes], requests: Any, responses: Any) -> None:
        self.process = process
        self.requests = requests
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.ended: dict[str, threading.Event] = {}
        assert process.stdout is not None
        for target, stream in ((self._read_answers, responses), (self._read_logs, process.stdout)):
            threading.Thread(target=target, args=(stream,), daemon=True).start()

    def _read_answers(self, responses: Any) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in responses:
                self.answers.put(json.loads(line))
        self.answers.put(None)  # the child is gone
        with contextlib.suppress(OSError):
            responses.close()

    def _read_logs(self, stdout: Any) -> None:
        for raw in stdout:
            line = raw.decode("utf-8", errors="replace")
            marker = line.find(END_OF_LOGS)
            if marker >= 0:
                if marker > 0:
                    self.append(line[:marker] + "\n")
                event = self.ended.get(line[marker + len(END_OF_LOGS) :].strip())
                if event is not None:
                    event.set()
                continue
            self.append(line)

    def append(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)

    def answer(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self.answers.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None

    def begin(self, request_id: str, version: str) -> int:
        """Starts an invocation's logs (START); the index of its first line."""
        with self.lock:
            del self.lines[:-KEPT_LOG_LINES]
            first_line = len(self.lines)
        self.ended[request_id] = threading.Event()
        self.append(f"START RequestId: {request_id} Version: {version}\n")
        return first_line

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Sends one invocation; its answer, or None when the child died or took too long."""
        started = time.monotonic()
        try:
            self.requests.write(json.dumps(request) + "\n")
            self.requests.flush()
        except OSError:  # the child died before it read the request
            return None
        return self.answer(timeout - (time.monotonic() - started))

    def drain(self, request_id: str) -> None:
        """Waits (briefly) for the handler's output of `request_id` to be read."""
        self.ended[request_id].wait(LOG_DRAIN_SECONDS)

    def end(self, request_id: str, report: str, first_line: int) -> str:
        """Ends an invocation's logs (END, then `report`); its lines since `first_line`."""
        self.ended.pop(request_id, None)
        self.append(f"END RequestId: {request_id}\n")
        self.append(report)
        with self.lock:
            return "".join(self.lines[first_line:])

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("lambda process %s did not exit after SIGKILL", self.process.pid)
        with contextlib.suppress(OSError):
            self.requests.close()
