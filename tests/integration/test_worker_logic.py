"""The logic tier's worker tests again, with DynamoDB and S3 answered by moto.

Every test of tests/logic/test_worker.py that needs only a `WorkerWorld` is collected here too,
where this tier's `world` fixture builds it on the real adapters (DynamoJobRepository,
S3ImageStore). One body per behaviour, so the two tiers cannot drift apart; what only the
in-memory queue can show (time reserve, back-off, throttling) stays in the logic tier."""

from tests.logic.test_worker import (  # noqa: F401 - pytest collects them with this tier's world
    test_a_cancel_during_the_render_drops_the_result,
    test_a_crashed_attempt_received_again_runs_again_and_overwrites,
    test_a_job_canceled_while_queued_is_never_rendered,
    test_a_job_finished_elsewhere_during_the_render_keeps_that_end,
    test_a_job_keeps_the_model_and_engine_it_was_submitted_for,
    test_a_message_for_an_unknown_job_creates_nothing,
    test_a_permanent_engine_error_fails_the_job_on_the_first_receive,
    test_a_queued_job_runs_and_succeeds_with_its_images,
    test_a_refusal_fails_the_job_at_once_with_a_type_its_tenant_can_act_on,
    test_a_repeat_receive_after_a_cancel_request_finishes_the_cancel,
    test_a_repeat_receive_for_a_finished_job_changes_nothing,
    test_a_retryable_error_before_the_last_receive_is_left_to_sqs,
    test_an_unforeseen_error_is_named_by_its_type_only,
    test_the_engine_gets_the_bytes_of_the_image_the_job_takes_in,
    test_the_last_receive_fails_the_job_saying_why,
)
