"""The SDK's models (clients/python) against the API's OpenAPI document, so they cannot drift.

Every SDK model is compared with its schema in the document, property by property: the same
names (as the API spells them), the same types, enums and nullability, and for the request
the same required fields. What the SDK leaves out on purpose is listed here, with why."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
from pydantic import BaseModel

import imagejobs_client as sdk
from imagejobs_client.job_request import IMAGE_FIELDS

# SDK model -> the document's component it restates.
COUNTERPARTS: dict[type[BaseModel], str] = {
    sdk.JobRequest: "JobRequest",
    sdk.UploadRef: "UploadRef",
    sdk.JobImageRef: "JobImageRef",
    sdk.Job: "JobView",
    sdk.Image: "ImageView",
    sdk.JobParameters: "JobParameters",
    sdk.InputImage: "InputImage",
    sdk.JobError: "JobError",
    sdk.JobList: "JobListView",
    sdk.ErrorBody: "ErrorResponse",
    sdk.FieldError: "FieldErrorView",
    sdk.Delivery: "DeliveryView",
    sdk.ModelList: "ModelListView",
    sdk.Model: "ModelView",
    sdk.ModelParameters: "ModelParametersView",
    sdk.ModelTask: "TaskView",
    sdk.LengthLimit: "LengthLimit",
    sdk.IntRange: "IntRange",
    sdk.FloatSpan: "FloatSpan",
    sdk.InputLimits: "InputLimitsView",
    sdk.Price: "PriceView",
    sdk.Lifecycle: "LifecycleView",
    sdk.JobMetrics: "JobMetrics",
    sdk.JobCost: "JobCost",
    sdk.Upload: "UploadView",
}
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# Deliberately not in the SDK: `cfg_scale` is the API's second name for `guidance`.
LEFT_OUT = {"JobRequest": {"cfg_scale"}}
# Requests: the SDK sends only what the caller gave (None is left out), so an optional field
# is `X | None` in the SDK where the document has `X` with a default.
REQUESTS = {"JobRequest", "UploadRef", "JobImageRef"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The committed document (`make lint` checks it is the one the code generates)."""
    return json.loads(DOCUMENT.read_text())  # type: ignore[no-any-return]


def shapes(schema: dict[str, Any], defs: dict[str, Any], rename: Callable[[str], str]) -> Any:
    """A property's type, comparable across the two: a set of type names, enums, refs."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        if "enum" in target:  # an enum component (JobStatus) compares by its values
            return frozenset({("enum", tuple(sorted(target["enum"])))})
        return frozenset({("ref", rename(name))})
    if "anyOf" in schema:
        return frozenset().union(*(shapes(s, defs, rename) for s in schema["anyOf"]))
    if "enum" in schema:
        return frozenset({("enum", tuple(sorted(schema["enum"])))})
    if "const" in schema:
        return frozenset({("enum", (schema["const"],))})
    kind = schema.get("type")
    if kind == "array":
        return frozenset({("array", shapes(schema.get("items", {}), defs, rename))})
    if kind == "object" and "additionalProperties" in schema:  # a map: {name: value}
        return frozenset({("map", shapes(schema["additionalProperties"], defs, rename))})
    if kind == "string" and schema.get("format") == "date-time":
        return frozenset({"date-time"})
    if isinstance(kind, list):
        return frozenset(kind)
    return frozenset({kind})


def without_null(shape: frozenset[Any]) -> frozenset[Any]:
    return frozenset(s for s in shape if s != "null")


SDK_NAMES = {model.__name__: doc_name for model, doc_name in COUNTERPARTS.items()}


@pytest.mark.parametrize("model", list(COUNTERPARTS), ids=lambda m: m.__name__)
def test_each_sdk_model_matches_its_schema_in_the_document(
    document: dict[str, Any], model: type[BaseModel]
) -> None:
    # Given an SDK model and the document's schema it restates
    name = COUNTERPARTS[model]
    components = document["components"]["schemas"]
    assert name in components, f"the document has no {name}"
    theirs = components[name]
    ours = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    our_defs = ours.get("$defs", {})

    # Then they have the same properties (less what the SDK leaves out on purpose)
    their_props = {k: v for k, v in theirs["properties"].items() if k not in LEFT_OUT.get(name, ())}
    assert set(ours["properties"]) == set(their_props)

    # And each has the same type, enum values and nullability
    for prop, their_schema in their_props.items():
        our_shape = shapes(ours["properties"][prop], our_defs, lambda n: SDK_NAMES.get(n, n))
        their_shape = shapes(their_schema, components, lambda n: n)
        if name in REQUESTS:
            our_shape, their_shape = without_null(our_shape), without_null(their_shape)
        assert our_shape == their_shape, f"{name}.{prop}"

    # And the request requires exactly what the API requires, and describes each field in
    # the API's words (the CLI's --help is these); an answer's every required field is one
    # the SDK reads
    if name in REQUESTS:
        assert set(ours.get("required", [])) == set(theirs.get("required", []))
        for prop, their_schema in their_props.items():
            assert ours["properties"][prop].get("description") == their_schema.get("description"), (
                f"{name}.{prop}"
            )
    else:
        assert set(theirs.get("required", [])) <= set(ours["properties"])


def test_every_job_state_the_api_names_is_one_the_sdk_knows(document: dict[str, Any]) -> None:
    their_states = set(document["components"]["schemas"]["JobStatus"]["enum"])
    assert their_states == set(sdk.JobStatus.__args__)  # type: ignore[attr-defined]
    terminal = {"succeeded", "failed", "canceled"}
    assert set(sdk.models.TERMINAL_STATUSES) == terminal


def test_the_keyword_arguments_of_create_are_the_requests_fields() -> None:
    # Given `jobs.create(prompt, **options)`, whose options are typed by `JobOptions`, and
    # the request's fields as declared
    request = get_type_hints(sdk.JobRequest)
    assert set(request) == set(sdk.JobRequest.model_fields)
    options = get_type_hints(sdk.JobOptions)

    # Then they are the request's fields less the prompt, under the same names and types, so a
    # field the document adds to JobRequest (checked above) is one `create` takes
    assert request.pop("prompt") == str | None
    assert options.keys() == request.keys()
    for name in IMAGE_FIELDS:
        # An image field takes more than the request holds: `create` makes a file, a job's
        # image or an upload id into one of the request's forms (a data URL, the two refs)
        assert set(get_args(options.pop(name))) > set(get_args(request.pop(name))), name
    assert options == request


def public_methods(kind: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(kind).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("blocking", "awaited"),
    [
        (sdk.Client, sdk.AsyncClient),
        (sdk.Jobs, sdk.AsyncJobs),
        (sdk.Models, sdk.AsyncModels),
        (sdk.Uploads, sdk.AsyncUploads),
    ],
)
def test_the_async_client_has_the_blocking_ones_methods_and_arguments(
    blocking: type, awaited: type
) -> None:
    # Given the blocking client (or its `jobs`) and the async one
    ours, theirs = public_methods(blocking), public_methods(awaited)

    # Then each method of the one is in the other with the same arguments (names, kinds,
    # defaults, types), awaited there; one that iterates (`jobs.list`) is an async iterator
    assert set(ours) == set(theirs)
    for name, signature in ours.items():
        assert signature.parameters == theirs[name].parameters, name
        method = getattr(awaited, name)
        if str(signature.return_annotation).startswith("Iterator["):
            assert inspect.isasyncgenfunction(method), name
        else:
            assert inspect.iscoroutinefunction(method), name


def test_both_clients_take_the_same_options() -> None:
    assert inspect.signature(sdk.Client) == inspect.signature(sdk.AsyncClient)


# The routes the SDK calls, and the answers it reads from each.
SDK_ROUTES = {
    ("post", "/jobs"): ("200", "202"),
    ("get", "/jobs"): ("200",),
    ("get", "/jobs/{job_id}"): ("200",),
    ("post", "/jobs/{job_id}/cancel"): ("200",),
    ("get", "/models"): ("200",),
    ("post", "/uploads"): ("201",),
}


@pytest.mark.parametrize(("method", "path"), list(SDK_ROUTES), ids=" ".join)
def test_every_answer_the_sdk_reads_is_one_of_its_models(
    document: dict[str, Any], method: str, path: str
) -> None:
    # Given a route the SDK calls, as the document describes it
    operation = document["paths"][path][method]

    # Then each answer the SDK reads is a schema one of its models restates (checked above),
    # and so is what it sends
    for status in SDK_ROUTES[method, path]:
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema["$ref"].rsplit("/", 1)[-1] in COUNTERPARTS.values(), (path, status)
    if method == "post" and path == "/jobs":
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].rsplit("/", 1)[-1] == COUNTERPARTS[sdk.JobRequest]
