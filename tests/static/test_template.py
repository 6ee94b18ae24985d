"""Invariants of template.yaml that a reviewer would otherwise have to remember."""

import importlib.util
import json
from typing import Any

import pytest

from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.engines.options import bedrock_worst_case_seconds
from imagejobs.handlers.requests import WAIT_RESERVE_SECONDS
from imagejobs.logic.waiting import MAX_WAIT_SECONDS
from tests.support import template

FUNCTIONS = [
    "SubmitFunction",
    "StatusFunction",
    "WorkerFunction",
    "DeadLetterFunction",
    "SweepFunction",
    "WebFunction",
]
# WebFunction makes no AWS call and has no policy (test_the_web_function_has_no_aws_permissions).
FUNCTIONS_THAT_CALL_AWS = [f for f in FUNCTIONS if f != "WebFunction"]


SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
# The built-in renderer alone, and with Bedrock models beside it.
MODEL_LISTS = ["pillow", f"pillow,{SD35}"]


def functions_policy_statements(
    logical_id: str, parameters: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The statements a function gets with `parameters` (else the defaults)."""
    resolve = template.Resolver(parameters or {}, keep_unknown=True)
    statements = []
    for policy in resolve(template.properties(logical_id).get("Policies", [])):
        statements.extend(policy.get("Statement", []))
    return statements


@pytest.mark.parametrize("models", MODEL_LISTS)
def test_queue_visibility_is_at_least_six_times_the_worker_timeout(models: str) -> None:
    # Given the worker's timeout and its queue, with or without a Bedrock model
    resolve = template.Resolver({"Models": models}, keep_unknown=True)
    timeout = resolve(template.function_setting("WorkerFunction", "Timeout"))
    visibility = resolve(template.properties("JobsQueue")["VisibilityTimeout"])
    env = template.function_environment("WorkerFunction", resolve)

    # Then the queue hides a message long enough for every retry of a slow batch
    assert visibility >= 6 * timeout
    # And a job is only started with time left for the engine's slowest call
    reserve = int(env["RENDER_TIME_RESERVE_SECONDS"])
    assert reserve < timeout
    if models != "pillow":
        read_timeout = int(env["BEDROCK_READ_TIMEOUT_SECONDS"])
        assert reserve >= bedrock_worst_case_seconds(read_timeout)


def test_dead_letter_visibility_is_at_least_six_times_its_consumers_timeout() -> None:
    # Given the dead-letter function's timeout and the queue it consumes
    resolve = template.Resolver({}, keep_unknown=True)
    timeout = resolve(template.function_setting("DeadLetterFunction", "Timeout"))
    [event] = template.properties("DeadLetterFunction")["Events"].values()
    visibility = resolve(template.properties("JobsDeadLetterQueue")["VisibilityTimeout"])

    # Then it consumes the DLQ with partial batch failures, and the DLQ hides a message long
    # enough for the function's retries, as for the worker
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert visibility >= 6 * timeout


def test_only_a_bedrock_worker_may_invoke_models_and_only_the_offered_ones() -> None:
    # Given the worker's statements with the built-in renderer alone, and with two models
    def model_statements(models: str) -> list[dict[str, Any]]:
        resolve = template.Resolver({"Models": models}, keep_unknown=True, substitute=True)
        statements = []
        for policy in resolve(template.properties("WorkerFunction").get("Policies", [])):
            statements.extend(policy.get("Statement", []))
        return [s for s in statements if "bedrock" in str(s["Action"])]

    # Then the built-in renderer's worker has no Bedrock permission at all
    assert model_statements("pillow") == []
    # And a Bedrock worker may call InvokeModel on exactly the offered models: through their
    # `us.` profile in its own Region, and each in the Regions the profile routes to
    [statement] = model_statements(f"{SD35},{CORE}")
    assert statement["Action"] == "bedrock:InvokeModel"
    profiles = [
        f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{model}"
        for model in (SD35, CORE)
    ]
    models = [
        f"arn:aws:bedrock:{region}::foundation-model/{model}"
        for region in ("us-east-1", "us-east-2", "us-west-2")
        for model in (SD35, CORE)
    ]
    assert sorted(statement["Resource"]) == sorted(profiles + models)
    # And no other function may call a model
    for logical_id in ("SubmitFunction", "StatusFunction", "DeadLetterFunction"):
        statements = functions_policy_statements(logical_id, {"Models": f"pillow,{SD35}"})
        assert "bedrock:InvokeModel" not in str(statements)
    # And every model the template offers is in the catalogue, whose profiles are `us.` ones
    offered = template.load_template()["Parameters"]["DefaultModel"]["AllowedValues"]
    assert sorted(offered) == sorted(CATALOGUE)
    for model in offered:
        bedrock = CATALOGUE[model].bedrock
        assert bedrock is None or bedrock.profile_id == f"us.{model}"


def test_every_queue_has_a_dead_letter_queue_and_the_worker_reports_item_failures() -> None:
    # Given the worker's SQS event source
    [event] = template.properties("WorkerFunction")["Events"].values()

    # Then partial batch failures are on, and the queue redrives into the DLQ
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = template.properties("JobsQueue")["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    assert redrive["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}
    # And the worker knows the same count, so it can fail a job on its last receive
    worker_env = template.properties("WorkerFunction")["Environment"]["Variables"]
    assert worker_env["MAX_RECEIVE_COUNT"] == {"Ref": "MaxReceiveCount"}
    count = template.load_template()["Parameters"]["MaxReceiveCount"]
    assert 3 <= count["MinValue"] <= count["Default"] <= count["MaxValue"] <= 5


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_handler_exists(logical_id: str) -> None:
    # Given the handler a function names
    module = template.handler_module(logical_id)

    # Then that module is in the package sam build ships
    assert importlib.util.find_spec(module) is not None
    assert template.function_setting(logical_id, "Runtime") == "python3.13"


@pytest.mark.parametrize("logical_id", FUNCTIONS_THAT_CALL_AWS)
def test_policies_name_their_resources_and_never_use_wildcards(logical_id: str) -> None:
    # Given a function's policy statements
    statements = functions_policy_statements(logical_id)

    # Then each allows named actions on named resources
    assert statements
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all("*" not in action for action in actions)
        assert statement["Resource"] != "*"


def test_the_api_functions_cannot_touch_what_they_do_not_need() -> None:
    # Given each function's actions
    def actions(logical_id: str) -> set[str]:
        found: set[str] = set()
        for statement in functions_policy_statements(logical_id):
            action = statement["Action"]
            found.update(action if isinstance(action, list) else [action])
        return found

    # Then status only reads, submit writes jobs and the images they take in, sends, and reads
    # images only to presign them (`Prefer: wait`); the worker sends only a throttled job's
    # next message
    assert actions("StatusFunction") == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "s3:GetObject",
    }
    assert actions("SubmitFunction") == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "sqs:SendMessage",
        "s3:GetObject",
        "s3:PutObject",
    }
    assert actions("WorkerFunction") == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "sqs:ChangeMessageVisibility",
        "sqs:SendMessage",
    }
    assert actions("DeadLetterFunction") == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "sqs:SendMessage",
    }
    assert actions("SweepFunction") == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "sqs:SendMessage",
    }
    assert actions("WebhookDeliveryFunction") == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "s3:GetObject",
        "sqs:SendMessage",
    }
    assert actions("WebhookSecretFunction") == {"dynamodb:GetItem", "dynamodb:PutItem"}


@pytest.mark.parametrize(
    "logical_id",
    ["SubmitFunction", "WorkerFunction", "DeadLetterFunction", "SweepFunction"],
)
def test_functions_that_change_jobs_may_send_webhook_events_only_to_the_webhook_queue(
    logical_id: str,
) -> None:
    # Given the function's statement that dispatches webhook events
    statements = {s["Sid"]: s for s in functions_policy_statements(logical_id)}

    # Then it sends to the webhook queue only
    dispatch = statements["DispatchWebhookEvents"]
    assert (dispatch["Action"], dispatch["Resource"]) == (
        "sqs:SendMessage",
        {"Fn::GetAtt": ["WebhookQueue", "Arn"]},
    )


def test_only_the_two_webhook_functions_may_touch_the_secrets_table() -> None:
    # Given every function's statements
    resources = template.load_template()["Resources"]
    functions = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]

    # Then the secrets table is named by the delivery and secret functions only
    touching = {
        name
        for name in functions
        if "WebhookSecretsTable" in json.dumps(functions_policy_statements(name))
    }
    assert touching == {"WebhookDeliveryFunction", "WebhookSecretFunction"}


def test_the_webhook_queue_outlasts_six_delivery_timeouts_and_has_its_own_dlq() -> None:
    # Given the queue and its consumer
    queue = template.properties("WebhookQueue")
    timeout = template.function_setting("WebhookDeliveryFunction", "Timeout")

    # Then a message is invisible for six timeouts, and failures reach the webhook DLQ
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]
    }
    [event] = template.properties("WebhookDeliveryFunction")["Events"].values()
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("logical_id", ["SubmitFunction", "StatusFunction"])
def test_the_waiting_functions_may_only_read_images_and_outlast_the_longest_wait(
    logical_id: str,
) -> None:
    # Given a function that answers `Prefer: wait=N`
    [read] = [s for s in functions_policy_statements(logical_id) if s["Action"] == "s3:GetObject"]
    resolve = template.Resolver({}, keep_unknown=True)
    timeout = resolve(template.function_setting(logical_id, "Timeout"))

    # Then it reads images only under images/, and its timeout leaves room for the longest
    # wait and the reserve, yet ends before API Gateway's 29 s integration timeout
    assert read["Resource"] == {"Fn::Sub": "${ImagesBucket.Arn}/images/*"}
    assert MAX_WAIT_SECONDS + WAIT_RESERVE_SECONDS <= timeout < 29


def test_status_may_query_only_the_by_owner_and_open_jobs_indexes() -> None:
    # Given the status function's Query statements (listing, and a queued job's position)
    queries = [
        s for s in functions_policy_statements("StatusFunction") if s["Action"] == "dynamodb:Query"
    ]

    # Then they name the two indexes, not the table or every index
    assert sorted(q["Resource"]["Fn::Sub"] for q in queries) == [
        "${JobsTable.Arn}/index/by-owner",
        "${JobsTable.Arn}/index/open-jobs",
    ]


def test_the_sweeper_may_query_only_the_open_jobs_index_and_send_only_to_the_job_queue() -> None:
    # Given the sweeper's statements
    statements = {s["Sid"]: s for s in functions_policy_statements("SweepFunction")}

    # Then it reads the sparse index (never the table: no Scan, no table Query) and sends jobs
    assert statements["FindOpenJobs"]["Resource"] == {"Fn::Sub": "${JobsTable.Arn}/index/open-jobs"}
    assert statements["RedriveJobs"]["Resource"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}


def test_the_sweeper_writes_only_model_lifecycles_and_reads_only_the_offered_models() -> None:
    # Given the sweeper's statements with the built-in renderer alone, and with two models
    def statements(models: str) -> dict[str, dict[str, Any]]:
        resolve = template.Resolver({"Models": models}, keep_unknown=True, substitute=True)
        found = [
            statement
            for policy in resolve(template.properties("SweepFunction")["Policies"])
            for statement in policy.get("Statement", [])
        ]
        return {statement["Sid"]: statement for statement in found}

    # Then whatever the models, it may put only the `model#<id>` items of the jobs table
    for models in MODEL_LISTS:
        lifecycles = statements(models)["RecordModelLifecycles"]
        assert sorted(lifecycles["Action"]) == ["dynamodb:BatchGetItem", "dynamodb:PutItem"]
        assert lifecycles["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["model#*"]}
        }
    # And without a Bedrock model it may not call Bedrock at all
    assert "bedrock" not in str(statements("pillow"))
    # And with two, it may read exactly their lifecycles, in its own Region
    read = statements(f"pillow,{SD35},{CORE}")["ReadModelLifecycles"]
    assert read["Action"] == "bedrock:GetFoundationModel"
    assert sorted(read["Resource"]) == sorted(
        f"arn:aws:bedrock:us-east-1::foundation-model/{model}" for model in ("pillow", SD35, CORE)
    )


def test_the_open_jobs_index_is_keyed_by_the_attributes_the_code_writes() -> None:
    # Given the jobs table's indexes
    indexes = {
        i["IndexName"]: i for i in template.properties("JobsTable")["GlobalSecondaryIndexes"]
    }

    # Then open-jobs is keyed by the open status and the last update, as the sweeper reads it
    assert indexes["open-jobs"]["KeySchema"] == [
        {"AttributeName": "open_status", "KeyType": "HASH"},
        {"AttributeName": "updated_at", "KeyType": "RANGE"},
    ]


def test_the_sweeper_runs_on_a_schedule_of_the_interval_parameter() -> None:
    # Given the sweeper's events
    [event] = template.properties("SweepFunction")["Events"].values()

    # Then it is an EventBridge schedule whose rate is the parameter, a few minutes by default
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == {"Fn::Sub": "rate(${SweepIntervalMinutes} minutes)"}
    parameters = template.load_template()["Parameters"]
    assert parameters["SweepIntervalMinutes"]["Default"] == 5


def test_every_route_requires_an_api_key_of_the_usage_plan() -> None:
    # Given the API's auth settings
    auth = template.properties("ImagesApi")["Auth"]

    # Then keys are required, one plan per API, with throttle and quota from parameters
    assert auth["ApiKeyRequired"] is True
    plan = auth["UsagePlan"]
    assert plan["CreateUsagePlan"] == "PER_API"
    assert plan["Throttle"] == {
        "RateLimit": {"Ref": "ThrottleRateLimit"},
        "BurstLimit": {"Ref": "ThrottleBurstLimit"},
    }
    assert plan["Quota"] == {"Limit": {"Ref": "QuotaLimit"}, "Period": {"Ref": "QuotaPeriod"}}


def test_the_bucket_denies_requests_without_tls() -> None:
    # Given the bucket policy
    [statement] = template.properties("ImagesBucketPolicy")["PolicyDocument"]["Statement"]

    # Then it denies every action over plain HTTP
    assert statement["Effect"] == "Deny"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_bucket_is_private_and_encrypted() -> None:
    # Given the images bucket
    bucket = template.properties("ImagesBucket")

    # Then public access is blocked in every way and objects are encrypted at rest
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert template.bucket_encryption_rules("ImagesBucket")
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_only_the_apis_pages_may_read_an_uploads_answer_from_the_bucket() -> None:
    # Given the bucket's CORS rules
    [rule] = template.properties("ImagesBucket")["CorsConfiguration"]["CorsRules"]

    # Then a page of an API Gateway API of the Region may POST (the presigned upload) and read
    # the answer; nothing else, and from no other origin
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == [
        {"Fn::Sub": "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    ]
    assert "AllowedHeaders" not in rule  # a form POST is a simple request: no preflight


def test_the_table_expires_jobs_by_ttl_and_bills_on_demand() -> None:
    # Given the jobs table
    table = template.properties("JobsTable")

    # Then it is on-demand and expires items through the attribute the code writes
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_outputs_give_what_clients_and_tooling_need() -> None:
    # Given the template's outputs
    outputs = template.load_template()["Outputs"]

    # Then the API, table, queues and bucket are all named
    assert {
        "ApiUrl",
        "ApiId",
        "StageName",
        "JobsTableName",
        "JobsQueueUrl",
        "JobsDeadLetterQueueUrl",
        "ImagesBucketName",
    } <= set(outputs)


def test_every_security_scanner_suppression_says_why() -> None:
    # Given every checkov suppression in the template
    skips = [
        (logical_id, skip)
        for logical_id, resource in template.load_template()["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    # Then each names a check and carries a reason
    assert skips
    for logical_id, skip in skips:
        assert skip["id"].startswith("CKV_"), logical_id
        assert len(skip.get("comment", "")) > 20, f"{logical_id} {skip['id']} needs a reason"


# What each operational alarm watches: (namespace, metric, the dimension's resource).
ALARMS = {
    "DeadLettersAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "JobsDeadLetterQueue"),
    "WorkerErrorsAlarm": ("AWS/Lambda", "Errors", "WorkerFunction"),
    "WorkerThrottlesAlarm": ("AWS/Lambda", "Throttles", "WorkerFunction"),
    "OldestJobAlarm": ("AWS/SQS", "ApproximateAgeOfOldestMessage", "JobsQueue"),
    "WebhookDeadLettersAlarm": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "WebhookDeadLetterQueue",
    ),
}
# Alarms on metric math over our own metrics (Powertools Metrics, service dimension).
MATH_ALARMS = {"SweeperAlarm": ("ImageJobs", {"JobsRedriven", "JobsStale"})}
# Alarms on one of our own metrics, and the metric.
MODEL_ALARMS = {
    "LegacyModelsAlarm": "LegacyModelsOffered",
    "UnavailableModelsAlarm": "UnavailableModelsOffered",
}


@pytest.mark.parametrize("logical_id", ALARMS)
def test_each_alarm_watches_its_own_resource(logical_id: str) -> None:
    # Given the alarm's properties
    props = template.properties(logical_id)
    namespace, metric, watched = ALARMS[logical_id]

    # Then it watches that metric of that resource, and a quiet period is no alarm
    assert (props["Namespace"], props["MetricName"]) == (namespace, metric)
    (dimension,) = props["Dimensions"]
    assert watched in json.dumps(dimension["Value"])
    assert props["TreatMissingData"] == "notBreaching"


def test_the_dead_letter_alarm_fires_on_the_first_message_and_the_age_alarm_at_its_bound() -> None:
    # Given the default parameters
    resolve = template.Resolver({}, keep_unknown=True)

    # Then one message in the DLQ is enough, and the queue-age bound is the parameter's
    dead = resolve(template.properties("DeadLettersAlarm"))
    assert (dead["Threshold"], dead["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    oldest = resolve(template.properties("OldestJobAlarm"))
    assert oldest["Threshold"] == template.parameter_defaults()["OldestJobAlarmSeconds"]


@pytest.mark.parametrize("logical_id", [*ALARMS, *MATH_ALARMS, *MODEL_ALARMS])
def test_alarms_notify_the_topic_only_when_one_is_given(logical_id: str) -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:ops"
    # Given the alarm resolved without and with an AlarmTopicArn
    without = template.Resolver({}, keep_unknown=True)(template.properties(logical_id))
    with_topic = template.Resolver({"AlarmTopicArn": topic}, keep_unknown=True)(
        template.properties(logical_id)
    )

    # Then it has no actions by default, and notifies the topic of alarm and recovery otherwise
    assert "AlarmActions" not in without
    assert "OKActions" not in without
    assert with_topic["AlarmActions"] == [topic]
    assert with_topic["OKActions"] == [topic]


def test_every_alarm_in_the_template_is_one_we_check() -> None:
    resources = template.load_template()["Resources"]
    alarms = {name for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == set(ALARMS) | set(MATH_ALARMS) | set(MODEL_ALARMS)


@pytest.mark.parametrize("logical_id", MODEL_ALARMS)
def test_the_model_alarms_fire_on_one_offered_model_as_the_sweeper_counts_them(
    logical_id: str,
) -> None:
    # Given the alarm, and the namespace and service the functions emit metrics under
    resource = template.resource(logical_id)
    props = resolve_all(resource["Properties"])
    variables = template.load_template()["Globals"]["Function"]["Environment"]["Variables"]

    # Then it exists only where a Bedrock model is offered, watches the sweeper's count as
    # emitted, and fires on one model; a sweeper that emits nothing is no alarm
    assert resource["Condition"] == "UseBedrock"
    assert (props["Namespace"], props["MetricName"]) == (
        variables["POWERTOOLS_METRICS_NAMESPACE"],
        MODEL_ALARMS[logical_id],
    )
    assert props["Dimensions"] == [
        {"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}
    ]
    assert (props["Statistic"], props["Threshold"]) == ("Maximum", 0)
    assert props["ComparisonOperator"] == "GreaterThanThreshold"
    assert props["TreatMissingData"] == "notBreaching"


def resolve_all(value: Any) -> Any:
    return template.Resolver({}, keep_unknown=True)(value)


WEB_ROUTES = {
    ("/", "get"),
    ("/assets/{name}", "get"),
    ("/config", "get"),
    ("/openapi.json", "get"),
    ("/docs", "get"),
}


def api_events() -> list[tuple[str, dict[str, Any]]]:
    resources = template.load_template()["Resources"]
    return [
        (logical_id, event["Properties"])
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    ]


def test_only_the_page_and_its_limits_are_served_without_an_api_key() -> None:
    # Given every API route and the API's default
    assert template.properties("ImagesApi")["Auth"]["ApiKeyRequired"] is True
    keyless = {
        (p["Path"], p["Method"])
        for _, p in api_events()
        if p.get("Auth", {}).get("ApiKeyRequired") is False
    }

    # Then the page, its assets, GET /config and the API's document and docs opt out, and
    # nothing else does
    assert keyless == WEB_ROUTES
    web_routes = {(p["Path"], p["Method"]) for f, p in api_events() if f == "WebFunction"}
    assert web_routes == WEB_ROUTES


def test_the_web_function_has_no_aws_permissions() -> None:
    # Given the function that serves the page and the limits
    properties = template.properties("WebFunction")

    # Then it has no policy at all: presigning its CSP probe is local signing
    assert "Policies" not in properties
    assert functions_policy_statements("WebFunction") == []
    assert importlib.util.find_spec(template.handler_module("WebFunction")) is not None


def test_the_sweeper_alarm_fires_when_it_re_drove_or_failed_any_job() -> None:
    # Given the sweeper's alarm and the namespace and service the functions emit metrics under
    props = template.properties("SweeperAlarm")
    namespace, metric_names = MATH_ALARMS["SweeperAlarm"]
    variables = template.load_template()["Globals"]["Function"]["Environment"]["Variables"]
    stats = [m["MetricStat"] for m in props["Metrics"] if "MetricStat" in m]
    [expression] = [m for m in props["Metrics"] if m.get("ReturnData")]

    # Then it sums both of the sweeper's counts, as emitted, and fires on the first one
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == namespace
    assert {s["Metric"]["MetricName"] for s in stats} == metric_names
    for stat in stats:
        assert stat["Metric"]["Namespace"] == namespace
        assert stat["Metric"]["Dimensions"] == [
            {"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}
        ]
        assert stat["Stat"] == "Sum"
    assert expression["Expression"] == "FILL(redriven, 0) + FILL(stale, 0)"
    assert (props["Threshold"], props["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert props["TreatMissingData"] == "notBreaching"
