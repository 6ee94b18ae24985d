"""Image engines, chosen by name once per cold start.

Each engine's module is imported only when that engine is chosen, so a worker pays the
import cost (Pillow, an SDK client, ...) of its own engine and of nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from imagejobs.engines.base import ImageEngine


def _pillow() -> ImageEngine:
    from imagejobs.engines.pillow_renderer import PillowRenderer

    return PillowRenderer()


# Name (the template's ImageEngine parameter) -> factory that imports and builds the engine.
_FACTORIES: dict[str, Callable[[], ImageEngine]] = {
    "pillow": _pillow,
}


def get_engine(name: str) -> ImageEngine:
    """The engine called `name`; a `ValueError` naming the known engines if there is none."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES))
        raise ValueError(f"unknown image engine {name!r}; known engines: {known}") from None
    return factory()
