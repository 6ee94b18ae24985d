"""What the stand-in has been told to do (per model), and what it has seen.

The configuration document (POST /_standin/config, --config, the module docstring of
imagejobs_dev.bedrock_standin) is checked here; anything it does not know is refused, so a
test cannot believe it configured something it did not.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from imagejobs_dev.bedrock_standin.catalogue import MODELS, Model
from imagejobs_dev.bedrock_standin.errors import STATUS

FINISH_REASONS = (  # the pages' "Current possible values" besides null
    "Filter reason: prompt",
    "Filter reason: output image",
    "Filter reason: input image",
    "Inference error",
)
LIFECYCLES = ("ACTIVE", "LEGACY", "EOL")
WINDOWS = {"second": 1.0, "minute": 60.0}
LOG_LENGTH = 100


class ConfigError(ValueError):
    """A configuration document the stand-in does not understand."""


@dataclass(frozen=True)
class Settings:
    """One model's behaviour. `times` bounds how many requests get `finish_reason` or `error`
    (None: every request)."""

    throttle: tuple[int, str] | None = None  # (requests, "second" | "minute")
    finish_reason: str | None = None
    error: str | None = None
    times: int | None = None
    delay: float = 0.0
    lifecycle: str = "ACTIVE"
    end_of_life: str | None = None
    legacy_since: str | None = None
    public_extended_access: str | None = None
    inactive: bool = False  # a Legacy model the account has not used lately: refused

    @classmethod
    def initial(cls, model: Model) -> Settings:
        return cls(lifecycle=model.lifecycle, end_of_life=model.end_of_life)


def _date(name: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected an ISO date (YYYY-MM-DD), got {value!r}") from None


def _merge(settings: Settings, update: dict[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    for key in update:
        if key not in known:
            raise ConfigError(f"unknown setting {key!r} (known: {', '.join(sorted(known))})")
    changes = dict(update)
    if (throttle := changes.get("throttle")) is not None:
        changes["throttle"] = _throttle(throttle)
    _check_choices(changes)
    for name in ("end_of_life", "legacy_since", "public_extended_access"):
        if name in changes:
            changes[name] = _date(name, changes[name])
    _check_numbers(changes)
    return replace(settings, **changes)


def _throttle(throttle: Any) -> tuple[int, str]:
    if (
        not isinstance(throttle, dict)
        or set(throttle) != {"requests", "per"}
        or type(throttle["requests"]) is not int
        or throttle["requests"] < 1
        or throttle["per"] not in WINDOWS
    ):
        raise ConfigError('throttle: expected {"requests": N >= 1, "per": "second"|"minute"}')
    return throttle["requests"], throttle["per"]


def _check_choices(changes: dict[str, Any]) -> None:
    if changes.get("finish_reason") not in (None, *FINISH_REASONS):
        raise ConfigError(f"finish_reason: one of {FINISH_REASONS} or null")
    if changes.get("error") not in (None, *STATUS):
        raise ConfigError(f"error: one of {sorted(STATUS)} or null")
    if "lifecycle" in changes and changes["lifecycle"] not in LIFECYCLES:
        raise ConfigError(f"lifecycle: one of {LIFECYCLES}")
    if "inactive" in changes and not isinstance(changes["inactive"], bool):
        raise ConfigError("inactive: true or false")


def _check_numbers(changes: dict[str, Any]) -> None:
    times, delay = changes.get("times"), changes.get("delay", 0.0)
    if times is not None and (type(times) is not int or times < 0):
        raise ConfigError("times: a count >= 0, or null for every request")
    if type(delay) not in (int, float) or delay < 0:
        raise ConfigError("delay: seconds >= 0")


def _models_of(document: Any) -> dict[str, dict[str, Any]]:
    """A configuration document's "models", once the document has the shape `configure` takes."""
    if not isinstance(document, dict):
        raise ConfigError("expected a JSON object")
    unknown = set(document) - {"reset", "refuse_resized_masks", "models"}
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}")
    models = document.get("models", {})
    if not isinstance(models, dict) or not all(isinstance(v, dict) for v in models.values()):
        raise ConfigError('models: expected {"<model id>" | "*": {setting: value}}')
    for model_id in models:
        if model_id != "*" and model_id.removeprefix("us.") not in MODELS:
            raise ConfigError(f"unknown model {model_id!r} (known: {sorted(MODELS)})")
    return models


def _targets(model_id: str, update: dict[str, Any]) -> list[str]:
    """The models a configuration's `model_id` names ("*": every Stability model)."""
    every = [m for m, model in MODELS.items() if model.spec is not None]
    targets = every if model_id == "*" else [model_id.removeprefix("us.")]
    for target in targets:
        if MODELS[target].spec is None and update != {"lifecycle": "EOL"}:
            raise ConfigError(f"{target} is past its end of life; it stays EOL")
    return targets


@dataclass
class Entry:
    """One request as the log keeps it (image bytes elided)."""

    at: float
    operation: str
    model_id: str | None
    model: str | None
    status: int = 0
    error_code: str | None = None
    finish_reason: str | None = None
    source: str | None = None  # the page behind a refusal
    body: Any = None


@dataclass
class State:
    """`start` is the configuration the stand-in starts from, and returns to on reset."""

    region: str
    start: dict[str, Any] | None = None
    refuse_resized_masks: bool = False
    settings: dict[str, Settings] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _admitted: dict[str, deque[float]] = field(default_factory=dict)
    _log: deque[Entry] = field(default_factory=lambda: deque(maxlen=LOG_LENGTH))
    _counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.refuse_resized_masks = False
            self.settings = {model_id: Settings.initial(m) for model_id, m in MODELS.items()}
            self._admitted.clear()
            self._log.clear()
            self._counts.clear()
        if self.start:
            self.configure({**self.start, "reset": False})

    def configure(self, document: Any) -> None:
        """Applies a configuration document: {"reset": bool, "refuse_resized_masks": bool,
        "models": {"<model id>" | "*": {setting: value, ...}}} ("*": every Stability model)."""
        models = _models_of(document)
        if document.get("reset"):
            self.reset()
        with self._lock:
            if "refuse_resized_masks" in document:
                self.refuse_resized_masks = bool(document["refuse_resized_masks"])
            updates = dict(self.settings)
            for model_id, update in models.items():
                for target in _targets(model_id, update):
                    updates[target] = _merge(updates[target], update)
            self.settings = updates

    def describe(self) -> dict[str, Any]:
        with self._lock:
            models = {model_id: _describe(s) for model_id, s in self.settings.items()}
            return {
                "region": self.region,
                "refuse_resized_masks": self.refuse_resized_masks,
                "models": models,
            }

    def admit(self, model_id: str) -> bool:
        """False when the model's throttle has no room for one more request now."""
        with self._lock:
            throttle = self.settings[model_id].throttle
            if throttle is None:
                return True
            limit, per = throttle
            now, window = time.monotonic(), WINDOWS[per]
            admitted = self._admitted.setdefault(model_id, deque())
            while admitted and now - admitted[0] >= window:
                admitted.popleft()
            if len(admitted) >= limit:
                return False
            admitted.append(now)
            return True

    def take_fault(self, model_id: str) -> tuple[str | None, str | None]:
        """(finish_reason, error) for this request, counting it against `times`."""
        with self._lock:
            settings = self.settings[model_id]
            if settings.finish_reason is None and settings.error is None:
                return None, None
            if settings.times is not None:
                if settings.times == 0:
                    return None, None
                self.settings[model_id] = replace(settings, times=settings.times - 1)
            return settings.finish_reason, settings.error

    def record(self, entry: Entry) -> None:
        with self._lock:
            self._log.append(entry)
            # by operation, then by model (or the identifier as sent, when it named none)
            key = f"{entry.operation} {entry.model or entry.model_id}"
            counts = self._counts.setdefault(key, {})
            counts[str(entry.status)] = counts.get(str(entry.status), 0) + 1
            counts["total"] = counts.get("total", 0) + 1

    def requests(self) -> dict[str, Any]:
        with self._lock:
            return {
                "counts": {model: dict(counts) for model, counts in self._counts.items()},
                "requests": [vars(entry).copy() for entry in self._log],
            }


def _describe(settings: Settings) -> dict[str, Any]:
    described = {f.name: getattr(settings, f.name) for f in fields(Settings)}
    if settings.throttle is not None:
        described["throttle"] = {"requests": settings.throttle[0], "per": settings.throttle[1]}
    return described
