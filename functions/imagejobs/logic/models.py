"""The models a deployment offers, as `GET /models` shows them and submit checks them."""

from __future__ import annotations

from imagejobs.engines.base import Task
from imagejobs.engines.catalogue import ModelSpec
from imagejobs.engines.catalogue.spec import Range, TaskSpec
from imagejobs.exceptions import ModelUnavailableError
from imagejobs.models.api import JobRequest
from imagejobs.models.config import (
    FloatSpan,
    InputLimitsView,
    IntRange,
    LengthLimit,
    LifecycleView,
    ModelListView,
    ModelParametersView,
    ModelView,
    PriceView,
    TaskView,
)
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs.ports import ModelLifecycles
from imagejobs.settings import ModelSettings


def list_models(settings: ModelSettings, lifecycles: ModelLifecycles) -> ModelListView:
    known = lifecycles.get([spec.id for spec in settings.offered if spec.bedrock is not None])
    return ModelListView(
        models=[
            _view(spec, spec.id == settings.default_model, known.get(spec.id))
            for spec in settings.offered
        ]
    )


def check_available(spec: ModelSpec, lifecycles: ModelLifecycles) -> None:
    """`ModelUnavailableError` for a model its last lifecycle check found unusable: a job for
    it would only fail. The built-in renderer has no lifecycle: nothing is read for it."""
    if spec.bedrock is None:
        return
    model_id = spec.id
    lifecycle = lifecycles.get([model_id]).get(model_id)
    if lifecycle is not None and not lifecycle.usable:
        raise ModelUnavailableError(model_id, lifecycle.reason or "its lifecycle check failed")


def requested_model(request: JobRequest, settings: ModelSettings) -> str:
    return request.model or settings.default_model


def _view(spec: ModelSpec, default: bool, lifecycle: ModelLifecycle | None) -> ModelView:
    seeds = spec.seeds
    return ModelView(
        id=spec.id,
        name=spec.name,
        provider=spec.provider,
        description=spec.description,
        default=default,
        tasks=[_task(name, task) for name, task in spec.tasks.items()],
        parameters=ModelParametersView(
            prompt=LengthLimit(max_length=spec.max_prompt_chars),
            negative_prompt=spec.negative_prompt,
            aspect_ratios=list(spec.aspect_ratios),
            side=IntRange(min=64, max=4096) if spec.any_size else None,
            seed=IntRange(min=int(seeds.low), max=int(seeds.high)),
            num_images=IntRange(min=1, max=spec.max_images, default=1),
            formats=list(spec.formats),
            guidance=_span(spec.guidance),
            image=None
            if spec.inputs is None
            else InputLimitsView(
                formats=list(spec.inputs.formats),
                min_side=spec.inputs.min_side,
                max_side=spec.inputs.max_side,
                min_pixels=spec.inputs.min_pixels,
                max_pixels=spec.inputs.max_pixels,
            ),
        ),
        price_per_image_usd=spec.price.usd_per_image,
        price=PriceView(
            usd_per_image=spec.price.usd_per_image,
            as_of=spec.price.as_of,
            source=spec.price.source,
            verified=spec.price.verified,
        ),
        lifecycle=_lifecycle(spec, lifecycle),
    )


def _task(name: Task, task: TaskSpec) -> TaskView:
    return TaskView(
        task=name,
        images=list(task.images),
        mask=task.mask,
        prompt=task.prompt,
        numbers={
            number: FloatSpan(min=r.low, max=r.high, default=r.default)
            for number, r in task.numbers.items()
        },
        texts=list(task.texts),
        aspect_ratio=task.aspect_ratio,
        modes=list(task.modes),
        alpha=task.alpha,
        seeded=task.seeded,
        output=task.output,
    )


def _span(span: Range | None) -> FloatSpan | None:
    return None if span is None else FloatSpan(min=span.low, max=span.high, default=span.default)


def _lifecycle(spec: ModelSpec, lifecycle: ModelLifecycle | None) -> LifecycleView:
    if lifecycle is None:
        # The built-in renderer is part of the service; a hosted model not checked yet is
        # taken to be as its catalogue entry was read.
        return LifecycleView(status=LifecycleStatus.ACTIVE.value)
    return LifecycleView(
        status=lifecycle.status.value,
        end_of_life=lifecycle.end_of_life,
        checked_at=lifecycle.checked_at,
        reason=lifecycle.reason,
    )
