/**
 * The report's public surface: compute the figures and objectives from plain
 * records, read them from a store, and write them as table, markdown or JSON.
 */
export { computeReport, FAILOVER_ACTIONS, type Report, type ReportInput, type ReportWindow, type RunnerRecord } from './compute.js';
export { collectReportInput } from './collect.js';
export { runnerAvailability, type Availability } from './availability.js';
export { evaluateObjectives, OBJECTIVES, type Objective, type ObjectiveId, type ObjectiveStatus } from './objectives.js';
export * from './outcomes.js';
export { percentile, mean, ratio } from './stats.js';
export { formatReport, formatTable, formatMarkdown, formatJson, REPORT_FORMATS, REPORT_SCHEMA, type ReportFormat } from './format.js';
export { formatDuration, formatRatio, formatShare } from './units.js';
