/**
 * Verifying the service's webhooks (Standard Webhooks signatures), for receivers; the Python
 * SDK's `imagejobs_client.webhooks.verify`.
 *
 *     import { verifyWebhook } from "imagejobs-client/webhooks";
 *     const event = verifyWebhook(request.headers, rawBody, secret); // the parsed body, or throws
 *     if (event.type === "job.completed") { ... }
 *
 * `secret` is the tenant's `whsec_...` from `GET /webhooks/secret`; while switching after a
 * rotation, pass both the new and the old one. Verification is the `standardwebhooks`
 * package's own: the signature over `{webhook-id}.{webhook-timestamp}.{body}`, and a timestamp
 * within five minutes of now (so a captured request cannot be replayed later). Use the raw body
 * as received, before any JSON parsing. Drop duplicates by the `webhook-id` header: a retry
 * carries the same id.
 */

import { Webhook, WebhookVerificationError } from "standardwebhooks";

export { WebhookVerificationError };

/** What the service sends: `job.started` or `job.completed`, and the job. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * The webhook's parsed JSON body if its signature verifies for `secret` (or for any one of
 * several); throws `WebhookVerificationError` otherwise, or when headers are missing or its
 * timestamp is too old or too new.
 */
export function verifyWebhook(
  headers: HeaderSource,
  body: string | Uint8Array,
  secret: string | string[],
): WebhookEvent {
  const secrets = typeof secret === "string" ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError("give at least one secret");
  const plain = lowerCased(headers);
  const payload = typeof body === "string" ? body : new TextDecoder().decode(body);
  let refused: unknown;
  for (const candidate of secrets) {
    try {
      return new Webhook(candidate).verify(payload, plain) as WebhookEvent;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      refused = error;
    }
  }
  throw refused;
}

function lowerCased(headers: HeaderSource): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const plain: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value !== undefined)
      plain[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return plain;
}
