/**
 * Coordination between deployers: the DeployCoordinator port, its
 * store-backed and server-API implementations, and the lease client. Code
 * outside src/coord imports from here only.
 */
export type * from './coordinator.js';
export { publicLockStatus } from './coordinator.js';
export { storeCoordinator, DEFAULT_WAITER_LEASE_MS, type StoreCoordinatorOptions } from './store-coordinator.js';
export { httpCoordinator, type HttpCoordinatorOptions } from './http-coordinator.js';
export { acquireLease, type Lease, type LeasePorts, type LeaseRequest } from './lease.js';
