import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { SecretMasker } from '../../src/mask/masker.js';
import { lineTracking } from '../../src/mask/sink.js';
import { annotation, ANNOTATION_MESSAGE_MAX, ANNOTATION_TITLE_MAX, escapeData, escapeProperty, formatCommand } from '../../src/github/actions/commands.js';
import { announceMasks } from '../../src/github/actions/add-mask.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

const S = 'QzX9-secret-value';

function masker(): SecretMasker {
  const m = new SecretMasker();
  m.register(S, 'test');
  return m;
}

test('data escapes %, CR and LF; properties also escape : and ,', () => {
  assert.equal(escapeData('100% a\r\nb:c,d'), '100%25 a%0D%0Ab:c,d');
  assert.equal(escapeProperty('100% a\r\nb:c,d'), '100%25 a%0D%0Ab%3Ac%2Cd');
  assert.equal(formatCommand('warning', { file: 'a,b.ts', line: 3, col: undefined }, 'x'), '::warning file=a%2Cb.ts,line=3::x');
});

test('annotation titles are masked like messages', () => {
  const line = annotation(masker(), 'error', `failed with ${S}`, { title: `title ${S}: bad, really`, file: 'src/a.ts', line: 4 });
  assert.equal(line, '::error title=title ***%3A bad%2C really,file=src/a.ts,line=4::failed with ***');
});

test('a secret that would be cut by truncation is masked first, so no prefix of it survives', () => {
  const m = masker();
  const message = 'x'.repeat(ANNOTATION_MESSAGE_MAX - 5) + S;
  const title = 't'.repeat(ANNOTATION_TITLE_MAX - 5) + S;
  const line = annotation(m, 'warning', message, { title });
  assert.ok(!line.includes('QzX9'));
  assert.ok(line.length < ANNOTATION_MESSAGE_MAX + ANNOTATION_TITLE_MAX + 40);
});

test('a secret whose escaped form differs is still masked in an annotation', () => {
  const m = new SecretMasker();
  m.register('pct%val:ue,x', 'test');
  assert.equal(annotation(m, 'notice', 'v=pct%val:ue,x', { title: 'pct%val:ue,x' }), '::notice title=***::v=***');
});

test('add-mask lines announce every form, unmasked and escaped, each at the start of a line', () => {
  const m = new SecretMasker();
  const written: string[] = [];
  const raw = lineTracking({ write: (t) => void written.push(t) });
  m.register('multi\nline-secret', 'test');
  raw.write('partial line');
  announceMasks(m, raw);
  const text = written.join('');
  assert.ok(text.startsWith('partial line\n::add-mask::multi%0Aline-secret\n'));
  for (const f of m.forms()) assert.ok(text.includes(`::add-mask::${escapeData(f)}\n`), `form not announced: ${f}`);
  written.length = 0;
  m.register('later-secret', 'later');
  assert.ok(written.join('').startsWith('::add-mask::later-secret\n'));
});

test('under GITHUB_ACTIONS=true, add-mask lines come on stderr before anything else, and stdout carries none', async () => {
  const io = memoryIo({ stdin: Readable.from([`v=${S}\n`]) });
  const code = await main(['mask', '--secret-env', 'X'], { GITHUB_ACTIONS: 'true', PITCREW_TOKEN: 'token-from-env', X: S }, io);
  assert.equal(code, 0);
  assert.equal(io.out(), 'v=***\n');
  const lines = io.err().split('\n').filter((l) => l !== '');
  assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('::add-mask::')), io.err());
  assert.ok(lines.includes('::add-mask::token-from-env'));
  assert.ok(lines.includes(`::add-mask::${S}`));
  assert.ok(lines.includes(`::add-mask::${Buffer.from(S).toString('base64')}`));
});

test('outside GitHub Actions, or with PITCREW_ADD_MASK=false, no add-mask line is printed', async () => {
  for (const env of [{ PITCREW_TOKEN: 'token-from-env' }, { PITCREW_TOKEN: 'token-from-env', GITHUB_ACTIONS: 'true', PITCREW_ADD_MASK: 'false' }]) {
    const io = memoryIo({ stdin: Readable.from(['x token-from-env\n']) });
    await main(['mask'], env, io);
    assert.equal(io.err(), '');
    assert.equal(io.out(), 'x ***\n');
  }
});
