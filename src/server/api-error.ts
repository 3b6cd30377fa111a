/**
 * Errors the HTTP API answers with: a status and a stable code, rendered as
 * `{ error: { code, message } }` in one place (create-server.ts onError).
 * Messages name the field or the resource and what to do; they must never
 * carry a token, a secret or a request body.
 */
export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 500 | 502 | 503;
  readonly code: string;

  constructor(status: ApiError['status'], code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** 400 naming the offending field of the request. */
export function badField(field: string, expected: string): ApiError {
  return new ApiError(400, 'bad-request', `${field}: expected ${expected}`);
}
