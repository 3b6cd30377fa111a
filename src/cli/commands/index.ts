/**
 * The command registry: one module per command, each registering itself on
 * the program. A command appears in --help only when it is listed here, so
 * an unfinished command cannot be advertised.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../program.js';
import * as agentInstall from './agent-install.js';
import * as configCheck from './config-check.js';
import * as exec from './exec.js';
import * as init from './init.js';
import * as mask from './mask.js';
import * as monitoringExport from './monitoring-export.js';

export interface CommandModule {
  register(program: Command, run: CommandRunner): void;
}

export const commands: CommandModule[] = [
  configCheck,
  mask,
  exec,
  monitoringExport,
  init,
  agentInstall,
];
