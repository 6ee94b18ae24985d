"""The API's OpenAPI document, generated from the code: `make openapi` writes it, `make lint`
checks that the committed one is the same and valid.

Every handler module under functions/imagejobs/handlers that defines a Powertools resolver
(`app = APIGatewayRestResolver(...)`) is found and loaded by Powertools' own `OpenAPIMerge`,
and their documents are merged into the frame `imagejobs.handlers.api_contract.api_merge`
gives (title, servers, the API key scheme). WebFunction serves the committed file.

    python -m imagejobs_dev.openapi            # write docs/openapi.json
    python -m imagejobs_dev.openapi --check    # exit 1 if it differs or does not validate
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
HANDLERS = FUNCTIONS / "imagejobs" / "handlers"
DOCUMENT = ROOT / "docs" / "openapi.json"

# Handler modules read their settings and create AWS clients when imported. None of this
# reaches the document (its limits are the models'), so fixed stand-ins keep it the same on
# every machine; the credentials are only for the web module's local presigning.
_STAND_IN_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "openapi-generator",
    "AWS_SECRET_ACCESS_KEY": "openapi-generator",
    "POWERTOOLS_SERVICE_NAME": "imagejobs",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ImageJobs",
    "MODELS": "pillow",
    "DEFAULT_MODEL": "pillow",
    "MAX_IMAGE_SIZE": "2048",
    "JOB_RETENTION_DAYS": "7",
    "IMAGE_URL_EXPIRY_SECONDS": "3600",
    "IMAGES_BUCKET_NAME": "images",
    "JOBS_TABLE_NAME": "jobs",
    "JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/jobs",
    "IDEMPOTENCY_TABLE_NAME": "idempotency",
    "IDEMPOTENCY_WINDOW_SECONDS": "3600",
    "MAX_OPEN_JOBS_PER_TENANT": "100",
    "MAX_UPLOAD_BYTES": "20971520",
    "MODEL_LIFECYCLE_CHECK_SECONDS": "3600",
    "WEBHOOK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/webhooks",
    "WEBHOOK_SECRETS_TABLE_NAME": "webhook-secrets",
    "WEBHOOK_RETRY_SCHEDULE": "5,300",
    "WEBHOOK_SECRET_GRACE_SECONDS": "86400",
}


def generate() -> str:
    """The merged document as the committed file holds it (JSON, 2-space indent, newline)."""
    os.environ.update(_STAND_IN_ENVIRONMENT)
    sys.path.insert(0, str(FUNCTIONS))
    from imagejobs.handlers.api_contract import api_merge

    merge = api_merge()
    merge.discover(HANDLERS, pattern="*.py", project_root=FUNCTIONS)
    # OpenAPIMerge warns and goes on when a handler fails to load: here that is an error,
    # or a route would silently drop out of the document.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", module="aws_lambda_powertools.event_handler.openapi")
        warnings.filterwarnings("error", message="Failed to load")
        text = merge.get_openapi_json_schema()
    return text + "\n"


def validate(document: dict[str, Any]) -> None:
    """Raises if `document` is not a valid OpenAPI 3.x document."""
    from openapi_spec_validator import validate as validate_spec

    validate_spec(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    parser.add_argument("--path", type=Path, default=DOCUMENT, help="default: %(default)s")
    args = parser.parse_args(argv)

    generated = generate()
    validate(json.loads(generated))
    if not args.check:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(generated, encoding="utf-8")
        operations = sum(len(item) for item in json.loads(generated)["paths"].values())
        print(f"wrote {args.path} ({operations} operations)")
        return 0
    committed = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
    if committed != generated:
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            f"{args.path} (committed)",
            "generated from the code",
        )
        sys.stderr.writelines(diff)
        print(f"{args.path} is out of date: run `make openapi` and commit it", file=sys.stderr)
        return 1
    print(f"{args.path} is up to date and valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
