"""Passes API Gateway requests on with their Content-Encoding, as AWS does.

LocalStack 2026.3.0 gunzips every request that says `Content-Encoding: gzip` in its gateway's
first handlers (`ContentDecoder` in `localstack/aws/handlers/codec.py`), before it knows which
service the request is for. A REST API without content encoding enabled
(`MinimumCompressionSize`, which ours does not set) passes the body to the integration as it
came, and the function decides. LocalStack instead fails a body that is not gzip with a 500 of
its own ("Not a gzipped file"), which no function can turn into a 4xx. So requests for the
`execute-api` routes (by host or by LocalStack's `/_aws/execute-api/` path) are not decoded.
Upstream, `ContentDecoder.SKIP_GZIP_SERVICES` cannot express this, since the service is not yet
known there.
"""

from __future__ import annotations

from typing import Any

from localstack.runtime import hooks

EXECUTE_API_PATH = "/_aws/execute-api/"


def is_execute_api(host: str, path: str) -> bool:
    return ".execute-api." in host or path.startswith(EXECUTE_API_PATH)


@hooks.on_infra_start()
def pass_api_gateway_bodies_on_undecoded() -> None:
    from localstack.aws.handlers.codec import ContentDecoder

    decode = ContentDecoder.__call__

    def decode_unless_execute_api(self: Any, chain: Any, context: Any, response: Any) -> None:
        request = context.request
        if is_execute_api(request.host or "", request.path or ""):
            return
        decode(self, chain, context, response)

    ContentDecoder.__call__ = decode_unless_execute_api  # type: ignore[method-assign]
