/**
 * One way to turn generated objects into file text, so the same input always
 * gives the same bytes: YAML with fixed options, JSON with two-space indent,
 * both ending in one newline.
 */
import { stringify } from 'yaml';

export function toYaml(value: unknown, header?: string): string {
  const body = stringify(value, { lineWidth: 0, indent: 2, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
