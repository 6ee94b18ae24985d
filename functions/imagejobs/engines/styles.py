"""The style presets as words, for models that take a style only through the prompt.

The built-in renderer reads a preset directly; a hosted model gets these words appended to the
prompt, and they count towards the model's prompt limit (`engines.catalogue`).
"""

from __future__ import annotations

from imagejobs.engines.base import Style

STYLE_PROMPTS: dict[Style, str] = {
    "none": "",
    "product_ad": "professional product advertisement photo, studio lighting, clean seamless"
    " backdrop, centered subject",
    "lifestyle": "candid lifestyle photograph, natural warm light, everyday setting, shallow"
    " depth of field",
    "minimalist": "minimalist composition, generous negative space, simple shapes, muted palette",
    "vibrant": "vibrant saturated colours, high contrast, bold dynamic composition",
    "luxury": "luxury editorial look, dark elegant backdrop, gold accents, dramatic rim lighting",
}


def styled_prompt(prompt: str, style: Style) -> str:
    """The prompt as a hosted model receives it: the style preset's words appended."""
    suffix = STYLE_PROMPTS[style]
    return f"{prompt}, {suffix}" if suffix else prompt
