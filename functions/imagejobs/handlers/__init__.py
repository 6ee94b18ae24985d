"""Lambda entry points. Each module template.yaml names is one function and imports only what
that function needs (the API functions never import the image engines); the others are what
they share: the API's document (api_contract), its error answers (http_errors), an API
function's resolver and routes (resolver), the checks before routing (request_gate), request
parameters (requests), and the SQS handler (sqs_batch)."""
