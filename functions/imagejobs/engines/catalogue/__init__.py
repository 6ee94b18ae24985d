"""Every model a deployment can offer: one entry each, with what it does, takes and costs.

Adding a model is one `ModelSpec` in `CATALOGUE`: its id, the tasks it does with what each
takes and its limits, its price, where Bedrock serves it, and the request body it needs. Submit
checks a job against its model's entry (a refusal is a 422 naming the field), `GET /models`
shows the entries a deployment offers, and the Bedrock engine builds its calls from them.
Submit imports this package, so it stays cheap: no Pillow, no SDK client.

Facts about hosted models were read at their source on 2026-12-06; each entry names its page.
Models retire: Titan Image Generator v2 (end of life 2026-06-30, its model card) and Nova Canvas
(end of life 2026-09-30) were this service's engine and are gone from Bedrock, so they are not
in the catalogue; a stored job that names one still reads.
"""

from __future__ import annotations

from imagejobs.engines.catalogue.built_in import BUILT_IN, BUILT_IN_GUIDANCE, size_for
from imagejobs.engines.catalogue.services import SERVICES
from imagejobs.engines.catalogue.spec import ModelSpec, ratio_of
from imagejobs.engines.catalogue.stability import GENERATORS

CATALOGUE: dict[str, ModelSpec] = {spec.id: spec for spec in (BUILT_IN, *GENERATORS, *SERVICES)}


def model_spec(model_id: str) -> ModelSpec:
    """The catalogue's entry; a `ValueError` naming the known models if there is none."""
    try:
        return CATALOGUE[model_id]
    except KeyError:
        raise ValueError(
            f"unknown model {model_id!r}; the catalogue has {', '.join(sorted(CATALOGUE))}"
        ) from None


__all__ = [
    "BUILT_IN",
    "BUILT_IN_GUIDANCE",
    "CATALOGUE",
    "ModelSpec",
    "model_spec",
    "ratio_of",
    "size_for",
]
