"""Image generation job service: the code shared by the submit, status, worker, dead-letter,
sweep and web functions."""
