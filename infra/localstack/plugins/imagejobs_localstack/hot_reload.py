"""Hot reloading for the host-process executor: a new process once mounted code changed.

LocalStack runs a function whose code is `S3Bucket: hot-reload`, `S3Key: <folder>` from that
folder (HotReloadingCode). Its Docker executor leaves noticing a change to the container's
init; here the executor asks `generation(folder)` before each invocation and replaces an
environment's process started under an older generation, so the next event runs the edited
code, as a fresh import (module state and init code run again, as after a redeploy).

A folder's signature is the path, mtime and size of its Python files, its mount's symlinks
followed; `__pycache__` and installed packages' metadata are skipped. It is taken at most once
per SCAN_SECONDS per folder, on an invocation (no thread, no cost while idle): an edit is live
on the first invocation after it, or at most SCAN_SECONDS later.

A folder under IMAGEJOBS_BUILD_DIR (`sam build`'s output, which `make up` mounts by default) is
the exception: `sam build` removes its output and writes it again, so such a folder changes
only by being replaced, and its identity (inode and mtime) is its signature: one stat instead
of walking some 2,000 vendored files per function on every scan.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

SCAN_SECONDS = 0.5
SKIPPED_SUFFIXES = (".dist-info", ".egg-info", ".data")
WATCHED_SUFFIXES = (".py", ".html", ".js", ".css", ".json")


def _replaced_whole(folder: str) -> bool:
    build_dir = os.environ.get("IMAGEJOBS_BUILD_DIR")
    return bool(build_dir) and os.path.commonpath([build_dir, folder]) == build_dir


def signature(folder: str) -> frozenset[tuple[str, int, int]]:
    """The watched files under `folder`: (path, mtime in ns, size) each; for a folder of sam
    build's output, the folder's own (path, inode, mtime in ns)."""
    if _replaced_whole(folder):
        try:
            stat = os.stat(folder)
        except OSError:  # between a build's removal and its rewrite
            return frozenset()
        return frozenset({(folder, stat.st_ino, stat.st_mtime_ns)})
    entries = []
    for directory, folders, files in os.walk(folder, followlinks=True):
        folders[:] = [f for f in folders if f != "__pycache__" and not f.endswith(SKIPPED_SUFFIXES)]
        for name in files:
            if name.endswith(WATCHED_SUFFIXES):
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:  # removed while we looked: the next scan sees it gone
                    continue
                entries.append((path, stat.st_mtime_ns, stat.st_size))
    return frozenset(entries)


@dataclass
class _Folder:
    signature: frozenset[tuple[str, int, int]]
    scanned: float
    generation: int = 0


_folders: dict[str, _Folder] = {}
_lock = threading.Lock()


def generation(folder: str, now: float | None = None) -> int:
    """How many times the folder's files have changed since it was first asked about."""
    now = time.monotonic() if now is None else now
    with _lock:
        known = _folders.get(folder)
        if known is None:
            _folders[folder] = _Folder(signature(folder), now)
            return 0
        if now - known.scanned >= SCAN_SECONDS:
            current = signature(folder)
            known.scanned = now
            if current != known.signature:
                known.signature = current
                known.generation += 1
        return known.generation
