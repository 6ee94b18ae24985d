"""Endpoints of services LocalStack does not serve, given to every function from a file.

LocalStack puts AWS_ENDPOINT_URL in each function's environment, so boto3 reaches LocalStack
for every service. Bedrock is not among the free edition's services: the project's stand-in
serves it instead. `make up` writes where it listens to the JSON file that
IMAGEJOBS_LAMBDA_ENVIRONMENT_FILE names, as service-specific endpoint variables
(AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL_BEDROCK), which boto3 reads before
AWS_ENDPOINT_URL. The executor adds them to each function process it starts, beneath the
function's own variables, and replaces a process started under other ones, so the file's
current content holds from the next invocation on. The template stays as it deploys to AWS.

Only `AWS_ENDPOINT_URL_<SERVICE>` variables are taken: the file points services somewhere,
nothing else. A missing or unreadable file is no variables.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading

LOG = logging.getLogger(__name__)
FILE_VARIABLE = "IMAGEJOBS_LAMBDA_ENVIRONMENT_FILE"
_ENDPOINT = re.compile(r"AWS_ENDPOINT_URL_[A-Z0-9_]+\Z")

_lock = threading.Lock()
# The file's (mtime, size) when last read, and what it held.
_read: tuple[tuple[int, int] | None, dict[str, str]] = (None, {})


def current() -> dict[str, str]:
    """The variables the file holds now (read again only when it changed)."""
    global _read
    path = os.environ.get(FILE_VARIABLE)
    if not path:
        return {}
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    signature = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _read[0] == signature:
            return _read[1]
        variables = _load(path)
        _read = (signature, variables)
        return variables


def _load(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, ValueError) as error:
        LOG.warning("%s: not read (%s); functions get no extra endpoints", path, error)
        return {}
    if not isinstance(document, dict):
        LOG.warning("%s: not a JSON object; functions get no extra endpoints", path)
        return {}
    taken = {
        name: value
        for name, value in document.items()
        if _ENDPOINT.match(name) and isinstance(value, str)
    }
    for ignored in sorted(set(document) - set(taken)):
        LOG.warning("%s: %s ignored (only AWS_ENDPOINT_URL_<SERVICE> URLs)", path, ignored)
    return taken
