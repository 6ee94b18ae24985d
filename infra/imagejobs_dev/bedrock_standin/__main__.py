"""python -m imagejobs_dev.bedrock_standin --port N: the stand-in as a process (see __init__)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

from imagejobs_dev.bedrock_standin.server import (
    DEFAULT_CREDENTIALS,
    BedrockStandIn,
    wait_until_stopped,
)
from imagejobs_dev.bedrock_standin.state import ConfigError

ENV = "IMAGEJOBS_BEDROCK_STANDIN_"


def _credentials(pairs: list[str]) -> dict[str, str]:
    credentials: dict[str, str] = {}
    for pair in pairs:
        key, separator, secret = pair.partition(":")
        if not separator or not key or not secret:
            raise SystemExit(f"--credentials: expected KEY:SECRET, got {pair!r}")
        credentials[key] = secret
    return credentials


def _config(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    source = Path(text[1:]).read_text() if text.startswith("@") else text
    document = json.loads(source)
    if not isinstance(document, dict):
        raise SystemExit("--config: expected a JSON object")
    return document


def main(argv: list[str] | None = None) -> None:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m imagejobs_dev.bedrock_standin")
    parser.add_argument("--host", default=env.get(f"{ENV}HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get(f"{ENV}PORT", "0")))
    parser.add_argument("--region", default=env.get(f"{ENV}REGION", "us-east-1"))
    parser.add_argument(
        "--credentials",
        action="append",
        default=[p for p in env.get(f"{ENV}CREDENTIALS", "").split(",") if p],
        help="an access key id and its secret, KEY:SECRET (repeatable; default test:test)",
    )
    parser.add_argument(
        "--any-key",
        action="store_true",
        default=env.get(f"{ENV}ANY_KEY", "") == "1",
        help="also admit unknown access keys (scope and date checked, not the HMAC)",
    )
    parser.add_argument(
        "--config",
        default=env.get(f"{ENV}CONFIG"),
        help="the start configuration, a JSON document or @file (see the module docstring)",
    )
    args = parser.parse_args(argv)
    try:
        standin = BedrockStandIn(
            region=args.region,
            credentials=_credentials(args.credentials) or DEFAULT_CREDENTIALS,
            any_key=args.any_key,
            address=(args.host, args.port),
            start=_config(args.config),
        )
    except (ConfigError, ValueError, OSError) as error:
        raise SystemExit(f"bedrock stand-in: {error}") from error
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    ready = {"url": standin.url, "pid": os.getpid(), "region": args.region}
    print(json.dumps(ready), flush=True)
    wait_until_stopped(standin, stop)


if __name__ == "__main__":
    main()
