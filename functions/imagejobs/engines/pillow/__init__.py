"""The built-in renderer: a model-free engine that paints a small scene reflecting the prompt.

Words of the prompt pick palettes and motifs from a vocabulary ("sunset" brings a warm sky
and a sun, "ocean" water and waves, "night" a dark sky, a moon and stars, ...); words it does
not know still add colours and motifs derived from their hash, so every prompt differs. The
seed only moves things around. Words of the negative prompt take colours and motifs out.

The request's style picks a preset: "none" paints the scene as above (`plain`), the others
compose the same colours and a subject anew (`styles`). Guidance (a model's cfgScale, 1.1-10)
is how strongly the prompt's colours dominate (`picture.apply_guidance`).

Everything random comes from SHA-256 of the inputs, never from `hash()` (salted per process),
and the encoders run with fixed settings, so the same request gives the same bytes on every
run and every machine with the same Pillow: the engine stands in for a hosted model in tests
and local runs. All drawing is vector primitives at full size (a fixed number of them), so
the cost grows with the pixel count, not faster.

Modules, each importing only those above it (`make lint` checks the order):

- `colour`, `randomness`: colour maths; generators seeded from the inputs alone.
- `vocabulary`: the words a prompt can use: shades, themes, motifs, subjects.
- `scene`: a prompt and negative prompt turned into palettes and motifs.
- `canvas`: what painters draw on, where a thing stands (`Spot`), shared drawing primitives.
- `motifs`: one painter per motif (sun, waves, skyline, ...).
- `plain`: the "none" style, the scene itself.
- `subjects`, `compositing`, `brief`: what the presets draw and how they lay it out.
- `styles`: one module per preset, and the dispatch by style name.
- `picture`: the prompt's picture: the scene in the job's style, graded by its guidance.
- `edits`: the edits of images it takes in (inpaint, outpaint, remove-background, ...).
- `engine`: the `PillowRenderer`, which the engine factory imports (only when chosen).
"""
