/**
 * API tokens over HTTP (permission `tokens`, admin only): list them, create
 * one (its value is in the answer, the only time it is ever shown), revoke one
 * by name. The store keeps only the hash and audits each change with the
 * calling token's name. A name used by server.tokens is refused, so the audit
 * log's actor always names one token. Must never log a token value.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ROLES } from '../../config/index.js';
import { ApiTokenExistsError } from '../../store/index.js';
import { ApiError, badField } from '../api-error.js';
import { expiryMs, newApiToken, TOKEN_NAME, TOKEN_NAME_RULE } from '../api-tokens.js';
import { authorize, jsonBody, type ServerContext } from '../context.js';

const createBody = z.object({
  name: z.string().regex(TOKEN_NAME, TOKEN_NAME_RULE),
  role: z.enum(ROLES, { errorMap: () => ({ message: `one of ${ROLES.join(', ')}` }) }),
  expires: z.string().min(1).max(50).optional(),
}).strict();

export function tokenRoutes(app: Hono, s: ServerContext): void {
  app.get('/api/v1/tokens', async (c) => {
    await authorize(s, c, 'tokens');
    return c.json({ tokens: await s.store.listApiTokens() });
  });

  app.post('/api/v1/tokens', async (c) => {
    const who = await authorize(s, c, 'tokens');
    const parsed = createBody.safeParse(await jsonBody(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badField(issue.path.join('.') || 'body', issue.code === 'unrecognized_keys' ? `no field ${issue.keys.join(', ')}` : issue.message);
    }
    const { name, role, expires } = parsed.data;
    if (s.config.server.tokens.some((t) => t.name === name)) {
      throw new ApiError(409, 'token.exists', `name: ${name} is a token of server.tokens in the configuration; pick another name`);
    }
    const now = s.now();
    let expiresAt: number | null = null;
    if (expires !== undefined) {
      const ms = expiryMs(expires);
      if (ms === undefined) throw badField('expires', 'a duration such as 30d, 12h or 90m');
      expiresAt = now + ms;
    }
    const { token, hash } = newApiToken();
    try {
      const created = await s.store.createApiToken({ name, role, hash, createdAt: now, createdBy: who.name, expiresAt });
      s.log('token created', { token: name, role, caller: who.name });
      return c.json({ token: created, value: token }, 201);
    } catch (err) {
      if (err instanceof ApiTokenExistsError) throw new ApiError(409, err.code, `${err.message}; ${err.hint ?? ''}`.trim());
      throw err;
    }
  });

  app.delete('/api/v1/tokens/:name', async (c) => {
    const who = await authorize(s, c, 'tokens');
    const name = c.req.param('name');
    const revoked = await s.store.revokeApiToken(name, who.name, s.now());
    if (revoked === null) throw new ApiError(404, 'unknown-token', `no token named ${name.slice(0, 100)} is live (never created, or already revoked); GET /api/v1/tokens lists them`);
    s.log('token revoked', { token: name, caller: who.name });
    return c.json({ token: revoked });
  });
}
