"""The only package that talks to AWS. Each class wraps one resource behind a `ports` protocol.

Clients are created without endpoint configuration: on LocalStack, `AWS_ENDPOINT_URL` in the
function's environment points boto3 at it.
"""
