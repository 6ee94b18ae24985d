/**
 * Every error the client throws; the same classes, codes and fields as the Python SDK's.
 * An API error carries the HTTP status, the `error` code of the API's error body, its message,
 * and the field it names (for validation errors). Aborting through an `AbortSignal` throws the
 * signal's own reason (an `AbortError`), not one of these.
 */

import type { ErrorBody, Job } from "./types.js";

export class ImageJobsError extends Error {
  override name = "ImageJobsError";
}

/** The API could not be reached (after the retries). */
export class ConnectionFailed extends ImageJobsError {
  override name = "ConnectionFailed";
}

/** A job did not end within the time the caller gave; `job` is how it stood last. */
export class WaitTimeout extends ImageJobsError {
  override name = "WaitTimeout";

  constructor(
    readonly job: Job,
    readonly timeout: number,
  ) {
    super(`job ${job.job_id} still ${job.status} after ${timeout} s`);
  }
}

/** The API answered with an error status. */
export class ApiError extends ImageJobsError {
  override name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    override readonly message: string,
    readonly field: string | undefined,
    readonly body: ErrorBody | undefined,
    /** Seconds the API asked the caller to wait (`Retry-After`), if it said. */
    readonly retryAfter: number | undefined,
  ) {
    super(`HTTP ${status} ${code}: ${message}`);
  }
}

/** 400: the request is malformed (e.g. an invalid header or cursor). */
export class BadRequest extends ApiError {
  override name = "BadRequest";
}
/** 400 or 422 `validation_error`: `field` names what was refused (`width`, `Prefer`, ...). */
export class ValidationError extends BadRequest {
  override name = "ValidationError";
}
/** 403: no API key, or one the API does not accept. */
export class Forbidden extends ApiError {
  override name = "Forbidden";
}
/**
 * 404: no such job (or not yours: both answer the same). On a create, `field` names the image
 * (`image`, `mask`, `style_image`) whose upload or job you do not have: expired, never sent,
 * or another key's.
 */
export class NotFound extends ApiError {
  override name = "NotFound";
}
/** 409: the job has already finished, or an idempotent request is still in progress. */
export class Conflict extends ApiError {
  override name = "Conflict";
}
export class PayloadTooLarge extends ApiError {
  override name = "PayloadTooLarge";
}
export class UnsupportedMediaType extends ApiError {
  override name = "UnsupportedMediaType";
}
/** 422 `idempotency_key_reused`: the key was used before with another request body. */
export class IdempotencyKeyReused extends ApiError {
  override name = "IdempotencyKeyReused";
}
/** 429: slow down; `retryAfter` is the seconds the API asked for, if it said. */
export class RateLimited extends ApiError {
  override name = "RateLimited";
}
/** 503: retry later; `retryAfter` as the API asked. */
export class ServiceUnavailable extends ApiError {
  override name = "ServiceUnavailable";
}
/** Any other 5xx. */
export class ServerError extends ApiError {
  override name = "ServerError";
}
/**
 * S3 refused an upload's file: `code` is S3's (`EntityTooLarge`: over the deployment's limit;
 * `AccessDenied`: the presigned POST expired, or its policy refused the file); `field` is
 * `file`.
 */
export class UploadFailed extends ApiError {
  override name = "UploadFailed";
}

type ApiErrorClass = new (...args: ConstructorParameters<typeof ApiError>) => ApiError;

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: BadRequest,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  413: PayloadTooLarge,
  415: UnsupportedMediaType,
  422: ValidationError,
  429: RateLimited,
  503: ServiceUnavailable,
};
// The error codes that pick a class of their own, whatever the status.
const BY_CODE: Record<string, ApiErrorClass> = {
  validation_error: ValidationError,
  idempotency_key_reused: IdempotencyKeyReused,
};

/** The typed error for an error answer; `payload` is its parsed JSON body, if any. */
export function errorFor(
  status: number,
  payload: unknown,
  retryAfter: number | undefined,
): ApiError {
  const body = isErrorBody(payload) ? payload : undefined;
  const code = body?.error ?? `http_${status}`;
  const message = body?.message ?? "the API answered without an error body";
  const field = body?.detail?.[0]?.field;
  const kind = BY_CODE[code] ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError);
  return new kind(status, code, message, field, body, retryAfter);
}

function isErrorBody(payload: unknown): payload is ErrorBody {
  if (typeof payload !== "object" || payload === null) return false;
  const { error, message } = payload as Record<string, unknown>;
  return typeof error === "string" && typeof message === "string";
}
