/**
 * Every migration pitcrew knows, by name, in order. Names sort in the order
 * they run; a name in the database that is missing here means the database is
 * newer than this pitcrew. Never edit a released migration: add the next one.
 */
import type { Migration } from 'kysely';
import type { BackendKind } from '../backend.js';
import { initial } from './0001_initial.js';
import { deploymentLockWait } from './0002_deployment_lock_wait.js';
import { apiTokens } from './0003_api_tokens.js';
import { workflowJobs } from './0004_workflow_jobs.js';

export function migrations(kind: BackendKind): Record<string, Migration> {
  return {
    '0001_initial': initial(kind),
    '0002_deployment_lock_wait': deploymentLockWait(),
    '0003_api_tokens': apiTokens(kind),
    '0004_workflow_jobs': workflowJobs(),
  };
}
