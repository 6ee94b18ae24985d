"""Image generation job service: the code shared by the submit, status and worker functions."""
