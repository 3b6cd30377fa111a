/**
 * The control-plane server's public surface. Code outside src/server imports
 * from here only.
 */
export { createServer, type ServerDeps, type PitcrewServer } from './create-server.js';
export { listen, parseListen, isLoopback, type Listening, type ListenAddress } from './listen.js';
export { createAuthenticator, type ApiToken, type Principal } from './auth.js';
export { allows, PERMISSIONS, ROLE_PERMISSIONS, rolesAllowed, type Permission } from './permissions.js';
export { FleetMonitor, type RunnerView, type RunnerJob, type Log, type Scheduler } from './fleet-monitor.js';
export { createServerMetrics, type ServerMetrics } from './metrics.js';
export { createServerClient, type ServerClient, type SelectAnswer } from './client.js';
export { AGENT_STREAM_PATH } from './agent-stream.js';
export { WEBHOOK_PATH } from './routes/webhooks.js';
