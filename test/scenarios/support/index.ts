/**
 * The scenario harness: real pitcrew processes (the compiled CLI), real
 * Prometheus and Alertmanager, free loopback ports, bounded waits, and cleanup
 * that runs whatever happens. Scenarios import from here.
 *
 * ```ts
 * test('...', { timeout: 180_000 }, async (t) => {
 *   const scope = scenarioScope(t);                       // everything below is stopped/removed in t.after
 *   const fleet = await Fleet.create(scope, {             // pitcrew.yml in a temp folder, a `sleep` per runner
 *     runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }],
 *   });
 *   await fleet.startServer();                            // `pitcrew --config ... server`, waits for "listening"
 *   await fleet.startAgent('primary');                    // `pitcrew agent --pid-file ... --listen 127.0.0.1:PORT`
 *   await fleet.waitForState('primary', 'online');        // polls GET /api/v1/runners (60 s deadline)
 *   const r = await fleet.cli(['select', '--env', 'production']);   // `node bin/pitcrew.js --server ...`
 *   await fleet.agents.get('primary')!.stop('SIGKILL');
 * });
 * ```
 *
 * - `scenarioScope(t)` / `Scope`: `defer(what, fn)` teardowns run last-in first-out; `tempDir(prefix)`.
 * - `Fleet`: `create(scope, {runners, environment?, environments?, extra?})`, `startServer()`,
 *   `startAgent(name)` (again after a kill: same port and work dir), `startStandInRunner(name)`,
 *   `cli(args, env?)`, `api(path)`, `runner(name)`, `waitForState(name, state, opts?)`, `leakedTokens()`,
 *   `agentMetrics(name)`, `agentUrl(name)`, `workDir(name)`, `tokenEnv()`, `logs()`;
 *   fields `dir`, `configPath`, `serverUrl`, `environment`, `server`, `agents`, `runners`.
 *   Tokens (`TOKENS`) reach processes through environment variables only;
 *   `CALM_THRESHOLDS` keeps the CI machine's own figures out of a scenario's verdicts.
 * - `runPitcrew(args, {env?, cwd?, timeoutMs?})`: one CLI run to completion; `cleanEnv(extra)`.
 * - `startProcess(scope, name, cmd, args, {env?, cwd?})` -> `Proc` (`stop(signal)`, `running()`,
 *   `stderr()`, `stdout()`, `tail()`, `exited`): any other real process.
 * - `poll(what, check, {deadlineMs = 60 s, everyMs, context})`: the only way scenarios wait.
 * - Deploys: `deployFleet(scope, {transport: 'ssh' | 'local', batchSize?, runners?, lockTtl?})` -> `DeployFleet`
 *   (`release(version, {failOn?})`, `deploy(file, {runner?, json?})`, `startDeploy(...)`, `pitcrew(args)`,
 *   `currents()`, `releaseDirs()`, `snapshot()`, `deployments()`); `startSshHosts(scope, names)`: real sshd
 *   hosts on 127.0.0.2.. sharing one `path`, each in its own mount namespace.
 * - `freePort()`: a loopback port from binding port 0.
 * - Deploys (`stage.ts`): `Stage.create(scope, {environment?, ttl?, wait?, smokeTests?, runners?})` -> three local
 *   target folders, `environmentConfig()`, `artifact(version, {failOn?})`, `currents()`, `releasesOn(i)`, `fences()`,
 *   `hold(i)` / `release(i?)` (the restart step waits on a held target); `StageConfig.write(stage)` -> a store-direct
 *   pitcrew.yml with `cli(args)` and `startDeploy(scope, name, artifact, args?, env?)`; `startDeployProcess(...)`;
 *   `inspectStore(dbPath, look)` reads deployments, journal, lock and audit through pitcrew's store code.
 * - GitHub (`github.ts`): `startScenarioGitHub(scope)` (the fail-closed fake REST API, token required),
 *   `githubSection(fake)` for pitcrew.yml, `githubEnv()`, `startServerWithEnv(scope, fleet, env)`, `GITHUB_SECRETS`.
 * - Monitoring: `missingTools(...)` (skip reason, or throws under CI), `startAlertmanager(scope, config)`,
 *   `startPrometheus(scope, dir)`, `writePrometheusConfig(...)`, `alertmanagerConfigFromExport(...)`,
 *   `prometheusAlerts(url)`, `prometheusTargets(url)`, `startWebhookReceiver(scope)`.
 *
 * Nothing here may fake a pitcrew component: fakes belong to unit tests.
 */
export { runPitcrew, cleanEnv, PACKAGE_ROOT, PITCREW_BIN, type CliResult } from './cli.js';
export { Fleet, TOKENS, CALM_THRESHOLDS, type FleetOptions, type RunnerSpec, type RunnerView } from './fleet.js';
export {
  missingTools, which, startAlertmanager, startPrometheus, writePrometheusConfig, alertmanagerConfigFromExport, prometheusAlerts, prometheusTargets,
  type PromAlert, type Service,
} from './monitoring.js';
export { poll, type PollOptions } from './poll.js';
export { freePort } from './ports.js';
export { startProcess, type Proc, type Exit, type StartOptions } from './process.js';
export { Scope, scenarioScope, type AfterHook } from './scope.js';
export {
  Stage, StageConfig, startDeployProcess, inspectStore, TARGET_NAMES, HOLDABLE_RESTART, type StageOptions, type Artifact,
} from './stage.js';
export { startScenarioGitHub, githubSection, githubEnv, startServerWithEnv, GITHUB_SECRETS } from './github.js';
export { startWebhookReceiver, type WebhookReceiver, type Received } from './webhook-receiver.js';
export { deployFleet, ENV, type DeployFleet, type DeployFleetOptions, type Snapshot } from './deploy.js';
export { startSshHosts, type SshHost, type SshHosts } from './ssh-hosts.js';
