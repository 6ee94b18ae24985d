"""python -m imagejobs_dev.localstack {install,start,stop,status,python313}"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from imagejobs_dev.localstack.endpoint import endpoint_url, external_endpoint, healthy
from imagejobs_dev.localstack.errors import LocalStackError
from imagejobs_dev.localstack.installation import install
from imagejobs_dev.localstack.interpreter import find_python313
from imagejobs_dev.localstack.layout import ROOT, Layout
from imagejobs_dev.localstack.lifecycle import ensure_running, stop
from imagejobs_dev.localstack.process import running_pid


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imagejobs_dev.localstack")
    parser.add_argument("command", choices=["install", "start", "stop", "status", "python313"])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install(args.root)
        elif args.command == "start":
            print(ensure_running(args.root).to_json())
        elif args.command == "stop":
            print("stopped" if stop(args.root) else "not running (or not started by this tool)")
        elif args.command == "python313":
            print(find_python313())
        else:
            endpoint = external_endpoint() or endpoint_url()
            pid = running_pid(Layout(args.root))
            status = {"endpoint_url": endpoint, "healthy": healthy(endpoint), "pid": pid}
            print(json.dumps(status))
    except LocalStackError as error:
        raise SystemExit(str(error)) from error


if __name__ == "__main__":
    main()
