"""Static tier: the repository's own files checked as they are (template.yaml's invariants, the
functions' pins against the project's). Nothing runs: no handler, no moto, no LocalStack."""
