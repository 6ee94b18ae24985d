"""LocalStack plugins: what lets it run on a host with no Docker engine, and start-up hooks that
make it behave as AWS does where it did not.

- `executor`: a Lambda runtime executor that runs each execution environment as a child
  Python process (`LAMBDA_RUNTIME_EXECUTOR=host-process`); `child` is that process,
  `lambda_bootstrap` what it runs, and `endpoints` gives those processes the endpoints of
  services LocalStack does not serve (the Bedrock stand-in), from a file.
- `dynamodb`: a DynamoDB provider answered by moto in pure Python, with no Java
  (`PROVIDER_OVERRIDE_DYNAMODB=moto`).
- `thread_leak`: a start-up hook that stops LocalStack from keeping a dead thread (and its
  stack) per Lambda invocation, which otherwise exhausts the process after ~32,000 invocations.
- `content_encoding`: a start-up hook that passes API Gateway request bodies on as they came,
  as AWS does, instead of gunzipping them in LocalStack's gateway (a 500 when they are not gzip).
- `sqs_mapping`: a start-up hook that makes SQS event source mappings long-poll and run
  batches in parallel (up to the mapping's MaximumConcurrency), as Lambda's pollers do.
- `environments`: a start-up hook that caps the execution environments LocalStack starts per
  function (a local knob), so a burst of requests waits for a warm one instead of cold-starting
  one each on two cores.
- `cloudformation`: a start-up hook that types a stack's deployed parameter values as it types
  new ones, so a stack that joins a list parameter can be updated and deleted.
"""
