/**
 * `verifyWebhook` (imagejobs-client/webhooks) against deliveries signed as the service signs
 * them: Standard Webhooks' `v1` HMAC over `{webhook-id}.{webhook-timestamp}.{body}` with the
 * tenant's `whsec_` secret (functions/imagejobs/logic/webhooks/delivery.py).
 */

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";

import { Webhook } from "standardwebhooks";

import { verifyWebhook, WebhookVerificationError } from "../src/webhooks.js";

const BODY = '{"type":"job.completed","timestamp":"2026-12-01T00:00:00Z","data":{"job_id":"x"}}';

function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** The headers of a delivery signed with each of `secrets`, as the service sends them. */
function signed(secrets: string[], at = new Date(), body = BODY): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign("msg_1", at, body));
  return {
    "Webhook-Id": "msg_1",
    "Webhook-Timestamp": String(Math.floor(at.getTime() / 1000)),
    "Webhook-Signature": signatures.join(" "),
  };
}

test("a signed webhook verifies and comes back parsed, from text, bytes, or Headers", () => {
  const secret = newSecret();
  const headers = signed([secret]);
  assert.deepEqual(verifyWebhook(headers, BODY, secret).data, { job_id: "x" });
  assert.equal(
    verifyWebhook(new Headers(headers), new TextEncoder().encode(BODY), secret).type,
    "job.completed",
  );
});

test("a tampered body, a wrong secret, an old timestamp or no headers is refused", () => {
  const secret = newSecret();
  const headers = signed([secret]);
  assert.throws(
    () => verifyWebhook(headers, BODY.replace("x", "y"), secret),
    WebhookVerificationError,
  );
  assert.throws(() => verifyWebhook(headers, BODY, newSecret()), WebhookVerificationError);
  const old = signed([secret], new Date(Date.now() - 6 * 60 * 1000));
  assert.throws(() => verifyWebhook(old, BODY, secret), WebhookVerificationError);
  assert.throws(() => verifyWebhook({}, BODY, secret), WebhookVerificationError);
});

test("during a rotation either secret verifies, and a receiver may hold both", () => {
  // Given a delivery signed with the new and the old secret
  const [older, newer] = [newSecret(), newSecret()];
  const headers = signed([newer, older]);

  // Then a receiver with either one, or both, accepts it; one with neither does not
  for (const held of [older, newer, [newer, older], [newSecret(), older]]) {
    assert.equal(verifyWebhook(headers, BODY, held).type, "job.completed");
  }
  assert.throws(() => verifyWebhook(headers, BODY, [newSecret()]), WebhookVerificationError);
});
