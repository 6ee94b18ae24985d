"""LocalStack on the host, without Docker: install it, start it, find it, stop it.

LocalStack lives in its own virtual environment (`.localstack/venv`, pins in
`infra/localstack/constraints.txt`), apart from the project's: it pins its own moto fork, boto3
and pydantic. It runs as `python -m localstack.runtime.main` with the plugins in
`infra/localstack/plugins` (a process-based Lambda executor, a moto-backed DynamoDB, and
start-up hooks that make it behave as AWS does). If
LOCALSTACK_ENDPOINT or AWS_ENDPOINT_URL names a LocalStack that answers, that one is used
instead and never stopped.

    python -m imagejobs_dev.localstack {install,start,stop,status,python313}

One module per concern, each importing only those above it:

- `errors`: LocalStackError;
- `layout`: where the files are (`Layout`);
- `interpreter`: the Lambda runtime's Python 3.13 (the Makefile asks it too);
- `endpoint`: a LocalStack's URLs and CA bundle, derived in one place (`LocalStack.at`);
- `installation`: LocalStack's venv, and the fingerprint that says whether it is current;
- `process`: the state file that records our LocalStack's process, and ending that process;
- `lifecycle`: finding one, starting ours, stopping ours.

Standard library only: this runs in the project's venv, which does not contain LocalStack.
"""

from __future__ import annotations

from imagejobs_dev.localstack.endpoint import (
    DEFAULT_PORT,
    LocalStack,
    endpoint_url,
    external_endpoint,
    healthy,
    port,
)
from imagejobs_dev.localstack.errors import LocalStackError
from imagejobs_dev.localstack.installation import (
    LOCALSTACK_VERSION,
    fingerprint,
    install,
    sdk_requirement,
)
from imagejobs_dev.localstack.interpreter import find_python313
from imagejobs_dev.localstack.layout import LAMBDA_RUNTIME, ROOT, Layout
from imagejobs_dev.localstack.lifecycle import ensure_running, stop
from imagejobs_dev.localstack.process import read_state, running_pid, write_state

__all__ = [
    "DEFAULT_PORT",
    "LAMBDA_RUNTIME",
    "LOCALSTACK_VERSION",
    "ROOT",
    "Layout",
    "LocalStack",
    "LocalStackError",
    "endpoint_url",
    "ensure_running",
    "external_endpoint",
    "find_python313",
    "fingerprint",
    "healthy",
    "install",
    "port",
    "read_state",
    "running_pid",
    "sdk_requirement",
    "stop",
    "write_state",
]
