/**
 * `pitcrew doctor`: diagnoses a runner or an environment and names the
 * runbook. Other code imports from here only.
 */
export { runDoctor, MODE_LINES, type DoctorReport } from './run.js';
export { formatReport, reportJson } from './format.js';
export { doctorChecks, checkIds } from './registry.js';
export { defaultDoctorPorts, type DoctorOptions, type DoctorPorts, type DoctorMode, type DoctorSources } from './sources/sources.js';
export { DEFAULT_AGENT_URL } from './sources/agent.js';
export { RUNBOOKS, type CheckResult, type CheckStatus, type DoctorCheck } from './types.js';
