/**
 * What each role may do, as permissions rather than a ladder: an agent token
 * may report heartbeats and jobs but not take a deploy lock; a deployer may
 * take locks and record deployments but not open the agent stream. Every
 * route names the one permission it needs (docs/server.md has the table).
 * Must stay the only place that maps roles to what they may do.
 */
import { ROLES, type Role } from '../config/index.js';

export const PERMISSIONS = {
  read: 'read the fleet, locks, deployments, their journal and the metrics',
  'agent-stream': 'open the agent stream (heartbeats and job reports)',
  lock: 'take, renew and release deploy locks',
  deploy: 'record deployments, their journal and deploy incidents',
  'force-release': "break another holder's deploy lock",
  tokens: 'list, create and revoke API tokens',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  agent: ['read', 'agent-stream'],
  deployer: ['read', 'lock', 'deploy'],
  admin: Object.keys(PERMISSIONS) as Permission[],
};

/** Whether `role` may do `permission`; a role this pitcrew does not know may do nothing. */
export function allows(role: string, permission: Permission): boolean {
  return Object.hasOwn(ROLE_PERMISSIONS, role) && ROLE_PERMISSIONS[role as Role].includes(permission);
}

/** The roles that have `permission`, in the order of ROLES. */
export function rolesAllowed(permission: Permission): Role[] {
  return ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission));
}
