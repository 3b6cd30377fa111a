/**
 * pitcrew's configuration (pitcrew.yml): loading, validation, the parsed
 * types, and the secrets it names. Other modules import from here only.
 */
export { loadConfig, parseConfigText, type LoadedConfig, type LoadOptions } from './load.js';
export { ConfigError, isConfigError, formatProblem, type Problem } from './errors.js';
export { parseDuration, parseSize } from './duration.js';
export { redact, maskText, secretRefs, resolveSecrets, type Secret, type SecretRef } from './secrets.js';
export { targetName } from './cross-checks.js';
export { ROLES, type Config, type Role, type GithubConfig, type ServerConfig, type RunnerConfig, type ApiTokenConfig } from './schema.js';
export type { Environment, SshEnvironment, LocalEnvironment, Step } from './environment.js';
export type { SshTarget, LocalTarget, TransportName } from './transports.js';
export { NOTIFICATION_EVENTS, type Notifier, type WebhookNotifier, type SlackNotifier, type NotificationEvent } from './notifiers.js';
export type { Check, HttpCheck, CommandCheck, TcpCheck } from './checks.js';
