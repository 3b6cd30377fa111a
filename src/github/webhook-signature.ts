/**
 * Checks the `X-Hub-Signature-256` header GitHub puts on every webhook delivery:
 * `sha256=` followed by the hex HMAC-SHA256 of the raw body under the webhook
 * secret (https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries).
 *
 * Must never compare with `===` (timing leak), never verify over re-serialised
 * JSON (only the exact bytes received), and never put the secret or the
 * expected digest in a reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureRejection = 'no-secret' | 'missing-header' | 'malformed-header' | 'unsupported-algorithm' | 'mismatch';

export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureRejection; message: string };

const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/**
 * Verifies a delivery's signature in constant time.
 *
 * @example
 *   const check = verifyWebhookSignature(secret, rawBody, req.headers['x-hub-signature-256']);
 *   if (!check.valid) return reply(401, check.message);
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  signatureHeader: string | readonly string[] | null | undefined,
): SignatureCheck {
  if (secret.length === 0) {
    return reject('no-secret', 'No webhook secret is configured, so no delivery can be trusted; set the same secret here and in the GitHub webhook settings.');
  }
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  if (typeof header !== 'string' || header.trim() === '') {
    return reject('missing-header', 'The delivery has no X-Hub-Signature-256 header; give the GitHub webhook a secret so GitHub signs its deliveries.');
  }
  const value = header.trim();
  const eq = value.indexOf('=');
  if (eq <= 0) {
    return reject('malformed-header', 'X-Hub-Signature-256 is not of the form sha256=<64 hex digits>.');
  }
  const algorithm = value.slice(0, eq).toLowerCase();
  const digest = value.slice(eq + 1);
  if (algorithm !== 'sha256') {
    return reject('unsupported-algorithm', `X-Hub-Signature-256 uses "${algorithm.slice(0, 16)}"; only sha256 is accepted.`);
  }
  if (!HEX_DIGEST.test(digest)) {
    return reject('malformed-header', 'X-Hub-Signature-256 is not of the form sha256=<64 hex digits>.');
  }
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(digest, 'hex');
  if (!timingSafeEqual(expected, given)) {
    return reject('mismatch', 'X-Hub-Signature-256 does not match the body: the secret differs from the one set in GitHub, or the body was altered.');
  }
  return { valid: true };
}

/** The header value GitHub would send for this body and secret. */
export function signWebhookBody(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function reject(reason: SignatureRejection, message: string): SignatureCheck {
  return { valid: false, reason, message };
}
