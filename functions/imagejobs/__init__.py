"""Image generation job service: the code shared by the submit, status, worker and dead-letter
functions."""
