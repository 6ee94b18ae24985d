"""Developer tooling: local stack, deploy, client."""
