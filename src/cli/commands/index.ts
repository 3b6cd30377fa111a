/**
 * The command registry: one module per command, each registering itself on
 * the program. A command appears in --help only when it is listed here, so
 * an unfinished command cannot be advertised.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../program.js';
import * as configCheck from './config-check.js';
import * as deploy from './deploy.js';
import * as lock from './lock.js';
import * as recover from './recover.js';
import * as releases from './releases.js';
import * as rollback from './rollback.js';
import * as status from './status.js';

export interface CommandModule {
  register(program: Command, run: CommandRunner): void;
}

export const commands: CommandModule[] = [configCheck, deploy, rollback, recover, status, lock, releases];
