/**
 * The web dashboard's public surface for the server.
 */
export { dashboardRoutes, type Dashboard, type DashboardDeps } from './routes.js';
export { maskJsonResponses } from './mask-json.js';
export { objectivesOver, percentile, TARGETS, type WindowObjectives } from './objectives.js';
export { html, escapeHtml, Html } from './html.js';
