import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from '../../src/mask/masker.js';
import { UnmaskedSecretError } from '../../src/mask/errors.js';
import { maskedSink } from '../../src/mask/sink.js';
import { isPitcrewError } from '../../src/errors.js';

test('a newline releases everything before it at once', () => {
  const m = new SecretMasker();
  m.register('hunter2secret', 't');
  const s = m.stream();
  assert.equal(s.write('build step 1 hunter'), 'build step 1 ');
  assert.equal(s.write(' done\n'), 'hunter done\n');
});

test('holds back at most the longest registered form', () => {
  const m = new SecretMasker();
  m.register('abcdefgh', 't');
  const longest = Math.max(...m.forms().map((f) => f.length));
  const s = m.stream();
  const input = 'xyz'.repeat(1000) + 'abcdefg';
  const out = s.write(input);
  assert.ok(input.length - out.length <= longest, `held ${input.length - out.length} > ${longest}`);
  assert.equal(out + s.end(), input);
});

test('end of stream releases a held partial match unmasked', () => {
  const m = new SecretMasker();
  m.register('abcdefgh', 't');
  const s = m.stream();
  assert.equal(s.write('tail abcd'), 'tail ');
  assert.equal(s.end(), 'abcd');
});

test('a secret registered while text is held back masks the held text', () => {
  const m = new SecretMasker();
  m.register('zzzzzzzz', 'first');
  const s = m.stream();
  assert.equal(s.write('key=late-sec'), 'key=late-sec');
  const held = m.stream();
  assert.equal(held.write('a zzzz'), 'a ');
  m.register('zzzzlate', 'second');
  assert.equal(held.write('late!\n'), '***!\n');
});

test('values shorter than 4 characters are not registered, and the warning names the source, not the value', () => {
  const m = new SecretMasker();
  const warned: string[] = [];
  m.onWarning((w) => warned.push(w));
  assert.equal(m.register('xq7', '$SHORT_ONE'), false);
  assert.deepEqual(m.forms(), []);
  assert.equal(m.mask('a xq7 b'), 'a xq7 b');
  assert.equal(warned.length, 1);
  assert.match(warned[0], /\$SHORT_ONE/);
  assert.ok(!warned[0].includes('xq7'));
  assert.deepEqual(m.warnings, warned);
});

test('a one-character secret never masks that character everywhere', () => {
  const m = new SecretMasker();
  m.register('e', 'one-char');
  assert.equal(m.mask('every letter e stays'), 'every letter e stays');
});

test('registers the value and each required encoding as forms', () => {
  const m = new SecretMasker();
  m.register(`it's "a" <b>&c ü`, 't');
  const forms = m.forms();
  const v = `it's "a" <b>&c ü`;
  for (const f of [
    v,
    Buffer.from(v).toString('base64'),
    encodeURIComponent(v),
    JSON.stringify(v).slice(1, -1),
    v.replaceAll('"', '\\"'),
    v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
    v.replaceAll("'", "'\\''"),
  ]) {
    assert.ok(forms.includes(f), `missing form ${f}`);
  }
});

test('assertNoSecret throws a typed error naming where, never the value', () => {
  const m = new SecretMasker();
  m.register('hunter2secret', 't');
  assert.doesNotThrow(() => m.assertNoSecret('nothing here, *** even', 'journal detail'));
  try {
    m.assertNoSecret(`detail ${Buffer.from('hunter2secret').toString('base64')}`, 'journal detail');
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof UnmaskedSecretError);
    assert.ok(isPitcrewError(err));
    assert.equal(err.where, 'journal detail');
    assert.match(err.message, /journal detail/);
    assert.ok(!err.message.includes('hunter2secret'));
    assert.ok(!JSON.stringify(err).includes('hunter2secret'));
  }
});

test('the automaton is rebuilt only when forms are added', () => {
  const m = new SecretMasker();
  m.register('first-secret', 'a');
  const a = m.automaton();
  assert.equal(m.automaton(), a);
  m.register('first-secret', 'again');
  assert.equal(m.automaton(), a);
  m.register('second-secret', 'b');
  assert.notEqual(m.automaton(), a);
});

test('a masked sink masks what it writes and releases held text on flush', () => {
  const m = new SecretMasker();
  m.register('hunter2secret', 't');
  const got: string[] = [];
  const sink = maskedSink({ write: (t) => void got.push(t) }, m);
  sink.write('a hunter2');
  sink.write('secret b\nc hunt');
  assert.equal(got.join(''), 'a *** b\nc ');
  sink.flush();
  assert.equal(got.join(''), 'a *** b\nc hunt');
});

test('many secrets: every one is masked', () => {
  const m = new SecretMasker();
  const secrets = Array.from({ length: 2000 }, (_, i) => `sec-${i.toString(36)}-${(i * 7919).toString(16)}`);
  secrets.forEach((s, i) => m.register(s, `#${i}`));
  const text = secrets.map((s) => `v ${s};`).join('\n');
  const out = m.mask(text);
  assert.equal(out, secrets.map(() => 'v ***;').join('\n'));
});
