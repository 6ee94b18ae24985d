"""Developer tooling: the local stack, `make up`/`make down`, and the `imagejobs` client."""
