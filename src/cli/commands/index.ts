/**
 * The command registry: one module per command, each registering itself on
 * the program. A command appears in --help only when it is listed here, so
 * an unfinished command cannot be advertised.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../program.js';
import * as agent from './agent.js';
import * as configCheck from './config-check.js';
import * as hook from './hook.js';

export interface CommandModule {
  register(program: Command, run: CommandRunner): void;
}

export const commands: CommandModule[] = [configCheck, agent, hook];
