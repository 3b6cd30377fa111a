/**
 * The first schema: runners and their history, heartbeats, locks with their
 * fencing counters and FIFO waiters, deployments and their journal, incidents,
 * the audit log. Written once with kysely's schema builder for both backends;
 * the only backend difference is how an auto-increasing id is declared.
 */
import type { Kysely, Migration } from 'kysely';
import type { BackendKind } from '../backend.js';
import { withId } from './columns.js';

export function initial(kind: BackendKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('runners')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('environments', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('authorized', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_heartbeat_at', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('state_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('state_changed_at', 'bigint')
        .addColumn('probes', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(kind, db.schema.createTable('runner_state_history'), 'id')
        .addColumn('runner', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text', (c) => c.notNull())
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('runner_state_history_runner_at').on('runner_state_history').columns(['runner', 'at']).execute();

      await db.schema
        .createTable('heartbeats')
        .addColumn('runner', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('probes', 'text')
        .execute();

      // Never deleted: the fencing counter must keep growing across releases and lock rows.
      await db.schema
        .createTable('lock_fences')
        .addColumn('environment', 'text', (c) => c.primaryKey())
        .addColumn('last_token', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('locks')
        .addColumn('environment', 'text', (c) => c.primaryKey())
        .addColumn('ticket', 'bigint', (c) => c.notNull())
        .addColumn('owner_token', 'text', (c) => c.notNull())
        .addColumn('runner', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('fencing_token', 'bigint', (c) => c.notNull())
        .addColumn('granted_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(kind, db.schema.createTable('lock_waiters'), 'ticket')
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('owner_token', 'text', (c) => c.notNull())
        .addColumn('runner', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('ttl_ms', 'bigint', (c) => c.notNull())
        .addColumn('enqueued_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('lock_waiters_environment_owner', ['environment', 'owner_token'])
        .execute();
      await db.schema.createIndex('lock_waiters_environment_ticket').on('lock_waiters').columns(['environment', 'ticket']).execute();

      await db.schema
        .createTable('deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('runner', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('result', 'text')
        .addColumn('fencing_token', 'bigint')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('deployments_environment_started').on('deployments').columns(['environment', 'started_at']).execute();
      await db.schema.createIndex('deployments_started').on('deployments').column('started_at').execute();

      await db.schema
        .createTable('journal_events')
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('fencing_token', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('journal_events_pk', ['deployment_id', 'seq'])
        .execute();

      await db.schema
        .createTable('incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('detected_at', 'bigint', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('resolved_at', 'bigint')
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('environment', 'text')
        .addColumn('runner', 'text')
        .addColumn('deployment_id', 'text')
        .addColumn('resolution_note', 'text')
        .execute();
      await db.schema.createIndex('incidents_kind_resolved').on('incidents').columns(['kind', 'resolved_at']).execute();

      await withId(kind, db.schema.createTable('audit_log'), 'id')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
  };
}
