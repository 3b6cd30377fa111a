import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from '../../src/mask/masker.js';
import { CASES } from './cases.js';

function maskerFor(secrets: string[]): SecretMasker {
  const m = new SecretMasker();
  secrets.forEach((s, i) => m.register(s, `case secret ${i}`));
  return m;
}

test('the table has at least 40 cases', () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
});

for (const c of CASES) {
  test(`masks ${c.name}`, () => {
    assert.equal(maskerFor(c.secrets).mask(c.input), c.expected);
  });

  test(`masks ${c.name}, split at every UTF-16 position across two strings`, () => {
    const m = maskerFor(c.secrets);
    for (let cut = 0; cut <= c.input.length; cut++) {
      const s = m.stream();
      const out = s.write(c.input.slice(0, cut)) + s.write(c.input.slice(cut)) + s.end();
      assert.equal(out, c.expected, `split at ${cut}`);
    }
  });

  test(`masks ${c.name}, split at every UTF-8 byte position across two Buffers`, () => {
    const m = maskerFor(c.secrets);
    const bytes = Buffer.from(c.input, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = m.stream();
      const out = s.write(bytes.subarray(0, cut)) + s.write(bytes.subarray(cut)) + s.end();
      assert.equal(out, c.expected, `split at byte ${cut}`);
    }
  });

  test(`masks ${c.name}, fed one UTF-8 byte at a time`, () => {
    const s = maskerFor(c.secrets).stream();
    let out = '';
    for (const b of Buffer.from(c.input, 'utf8')) out += s.write(Buffer.from([b]));
    assert.equal(out + s.end(), c.expected);
  });
}
