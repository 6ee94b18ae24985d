"""A local stand-in for Amazon Bedrock, as strict as Bedrock, for Stability AI's image models.

One URL answers both clients, so boto3's `bedrock-runtime` and `bedrock` clients can both point
at it (`endpoint_url=standin.url`, or AWS_ENDPOINT_URL_BEDROCK_RUNTIME / _BEDROCK):

- `POST /model/{modelId}/invoke` (bedrock-runtime InvokeModel) for Stable Diffusion 3.5 Large
  (`stability.sd3-5-large-v1:0`), Stable Image Core (`stability.stable-image-core-v1:1`),
  Stable Image Ultra (`stability.stable-image-ultra-v1:1`) and the thirteen Stability AI Image
  Services (catalogue.MODELS), by model id, `us.` inference profile id, or the ARN of either,
  where Bedrock accepts each (catalogue.resolve);
- `GET /foundation-models/{modelIdentifier}` (bedrock GetFoundationModel), with
  `modelLifecycle`.

Every Bedrock request must carry a valid SigV4 signature (signing.Verifier). Every body is
checked against its model's documented schema (generation.py, services.py: each field and rule
names its page), images included (decoded with Pillow: format, sides, pixels, aspect ratio).
Refusals are Bedrock's: status, `x-amzn-ErrorType`, `{"message": ...}`, so boto3 raises
ClientError with Bedrock's code. Answers are Bedrock's shape, `{"seeds", "finish_reasons",
"images"}`, with an image of the documented size, format and alpha.

Run it:
  python -m imagejobs_dev.bedrock_standin --port 4599 [--region us-east-1]
      [--credentials KEY:SECRET ...] [--any-key] [--config JSON-or-@file]
  (or IMAGEJOBS_BEDROCK_STANDIN_PORT, _REGION, _CREDENTIALS "KEY:SECRET,...", _ANY_KEY=1,
  _CONFIG); it prints one JSON line, {"url": ..., "pid": ..., "region": ...}, once listening.
  In-process: `with BedrockStandIn(region=..., credentials={...}) as standin: standin.url`.

The control endpoint (plain HTTP, unsigned):
  GET  /_standin/health    {"status": "ok", "region": ...}
  GET  /_standin/config    the current configuration, per model
  POST /_standin/config    a configuration document (below); answers the new configuration,
                           or 400 {"message"} for anything it does not know
  POST /_standin/reset     back to the start configuration (CLI/env), log cleared
  GET  /_standin/requests  {"counts": {"InvokeModel <model>": {"200": n, "429": n, ...,
                            "total": n}, "GetFoundationModel <model>": {...}},
                            "requests": [the last 100: operation, model_id as sent, model,
                            status, error_code, finish_reason, source (the page behind a
                            refusal), body (image fields elided)]}

A configuration document:
  {"reset": true,                         # optional: start from the start configuration
   "refuse_resized_masks": false,         # refuse a mask of another size than its image
                                          # (Bedrock resizes it; a stricter check for tests)
   "models": {"<model id, us. id or *>": {
       "throttle": {"requests": 2, "per": "second" | "minute"} | null,
                                          # beyond it: 429 ThrottlingException
       "finish_reason": "Filter reason: prompt" | "Filter reason: input image"
                        | "Filter reason: output image" | "Inference error" | null,
                                          # 200 {"finish_reasons": [reason]}, no image
       "error": "ModelErrorException" | "ServiceUnavailableException" | ... | null,
                                          # any of InvokeModel's errors, with its status
       "times": 3 | null,                 # finish_reason/error for the next 3 requests only
       "delay": 1.5,                      # seconds before answering
       "lifecycle": "ACTIVE" | "LEGACY" | "EOL",
       "end_of_life": "2027-03-31", "legacy_since": "...", "public_extended_access": "...",
       "inactive": false}}}               # LEGACY and inactive: refused as for an account
                                          # that has not used it lately
  Settings merge into what is there ("*" sets them on every model); EOL makes
  GetFoundationModel answer 404 ResourceNotFoundException and InvokeModel refuse the model as
  Bedrock refuses one past its end of life.
"""

from imagejobs_dev.bedrock_standin.catalogue import MODELS, STABILITY_MODELS
from imagejobs_dev.bedrock_standin.server import BedrockStandIn

__all__ = ["MODELS", "STABILITY_MODELS", "BedrockStandIn"]
