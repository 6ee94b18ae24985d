"""Randomness that depends on the inputs only, so a request gives the same picture anywhere."""

from __future__ import annotations

import hashlib
import random


def digest_of(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def seeded_rng(*parts: object) -> random.Random:
    """A generator that depends on `parts` only: never on the process, never on `hash()`."""
    # Not for secrets: only pictures need to be reproducible.
    return random.Random(int.from_bytes(digest_of(*parts), "big"))  # noqa: S311
