/**
 * Renders docs/cli.md from the command definitions themselves, so the
 * reference cannot drift from what `--help` says (a test compares the two).
 */
import type { Command, Option } from 'commander';
import { commands } from './commands/index.js';
import { createProgram, EXIT_CODES_HELP } from './main.js';
import type { CommandRunner } from './program.js';

export async function renderCliReference(): Promise<string> {
  const sink = { write: () => undefined };
  const program = createProgram({ stdout: sink, stderr: sink });
  const inert: CommandRunner = () => async () => undefined;
  for (const entry of commands) (await entry.load()).register(program, inert);

  const out: string[] = [
    '# Command reference',
    '',
    '<!-- Generated from the command definitions by `npm run docs:cli`; do not edit by hand. -->',
    '',
    program.description(),
    '',
    '## Global options',
    '',
    ...optionTable(program.options as readonly Option[]).toSpliced(2, 0, '| `-V, --version` | print the version (only before any command) |  |'),
    '',
    '## Exit codes',
    '',
    '```',
    EXIT_CODES_HELP.trim(),
    '```',
    '',
  ];
  for (const cmd of program.commands) renderCommand(cmd, ['pitcrew'], out);
  return out.join('\n');
}

function renderCommand(cmd: Command, parents: string[], out: string[]): void {
  const path = [...parents, cmd.name()];
  const children = cmd.commands;
  if (cmd.name() === 'help') return;
  out.push(`## \`${path.join(' ')}\``, '', cmd.description(), '');
  const args = (cmd as unknown as { registeredArguments?: ReadonlyArray<{ name(): string; required: boolean; variadic: boolean; description: string }> }).registeredArguments ?? [];
  if (children.length === 0 || args.length > 0 || cmd.options.length > 0) {
    out.push('```', `${path.join(' ')} ${cmd.usage()}`.trim(), '```', '');
  }
  if (args.length > 0) {
    out.push('| argument | required | meaning |', '| --- | --- | --- |');
    for (const a of args) out.push(`| \`${a.name()}${a.variadic ? '...' : ''}\` | ${a.required ? 'yes' : 'no'} | ${cell(a.description)} |`);
    out.push('');
  }
  if (cmd.options.length > 0) out.push(...optionTable(cmd.options as readonly Option[]), '');
  for (const child of children) renderCommand(child, path, out);
}

function optionTable(options: readonly Option[]): string[] {
  const rows = ['| option | meaning | default |', '| --- | --- | --- |'];
  for (const o of options) {
    const def = o.defaultValue === undefined ? '' : `\`${JSON.stringify(o.defaultValue)}\``;
    rows.push(`| \`${o.flags}\` | ${cell(o.description)} | ${def} |`);
  }
  return rows;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
