/**
 * Who a store-direct command acts as, for the audit log: $GITHUB_ACTOR, else
 * $USER, else `cli`.
 */
import type { CliContext } from './context.js';

export function actorOf(ctx: Pick<CliContext, 'env'>): string {
  return ctx.env.GITHUB_ACTOR || ctx.env.USER || 'cli';
}
