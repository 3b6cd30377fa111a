/**
 * The command registry: one module per command, each registering itself on
 * the program. A command appears in --help only when it is listed here, so
 * an unfinished command cannot be advertised. Order matters where modules
 * share a parent command: `agent` registers before `agent install`.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../program.js';
import * as agent from './agent.js';
import * as agentInstall from './agent-install.js';
import * as configCheck from './config-check.js';
import * as doctor from './doctor.js';
import * as exec from './exec.js';
import * as hook from './hook.js';
import * as incident from './incident.js';
import * as init from './init.js';
import * as mask from './mask.js';
import * as monitoringExport from './monitoring-export.js';
import * as report from './report.js';
import * as runners from './runners.js';
import * as select from './select.js';
import * as server from './server.js';

export interface CommandModule {
  register(program: Command, run: CommandRunner): void;
}

export const commands: CommandModule[] = [
  init,
  configCheck,
  server,
  agent,
  agentInstall,
  hook,
  runners,
  select,
  doctor,
  report,
  incident,
  monitoringExport,
  mask,
  exec,
];
