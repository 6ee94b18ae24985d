"""Tests of the LocalStack host-mode tooling and plugins."""
