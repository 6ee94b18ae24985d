"""What `models.list` does, written once for both clients (see `_jobs.py`)."""

from __future__ import annotations

from imagejobs_client._transport import Operation, Transport
from imagejobs_client.catalogue import Model, ModelList


def list_models(transport: Transport) -> Operation[list[Model]]:
    answer = yield from transport.call("GET", "models")
    return ModelList.model_validate(answer.payload).models
