import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecretMasker } from '../../src/mask/masker.js';
import { secretForms } from '../../src/mask/forms.js';

// '*' is left out of secrets: the mask itself is made of it, so text next to a
// mask could spell a '*'-bearing form without anything having leaked.
const secretArb = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 24 }),
    fc.string({ unit: 'grapheme', minLength: 4, maxLength: 12 }),
    fc.stringMatching(/^[A-Za-z0-9+/=_-]{4,40}$/),
    fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 4 }).map((ls) => ls.join('\n')),
  )
  .filter((s) => !s.includes('*') && [...s].length >= 4);

const fillerArb = fc.string({ unit: fc.constantFrom(...'abc xyz-=/+\n\t\u00e9\u4e2d'.split('')), maxLength: 30 });

/** Splits `s` at random UTF-16 or UTF-8 byte positions and feeds the pieces to a stream. */
function streamed(masker: SecretMasker, s: string, cuts: number[], bytes: boolean): string {
  const stream = masker.stream();
  let out = '';
  if (bytes) {
    const buf = Buffer.from(s, 'utf8');
    const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
    let prev = 0;
    for (const p of [...points, buf.length]) {
      out += stream.write(buf.subarray(prev, p));
      prev = p;
    }
  } else {
    const points = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
    let prev = 0;
    for (const p of [...points, s.length]) {
      out += stream.write(s.slice(prev, p));
      prev = p;
    }
  }
  return out + stream.end();
}

test('no registered form survives, whatever the forms, the text around them and the chunking', () => {
  fc.assert(
    fc.property(
      fc.array(secretArb, { minLength: 1, maxLength: 5 }),
      fc.array(fc.tuple(fillerArb, fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (secrets, pieces, cuts, bytes) => {
        const masker = new SecretMasker();
        secrets.forEach((s, i) => masker.register(s, `secret ${i}`));
        const text = pieces
          .map(([filler, which, form]) => {
            const forms = secretForms(secrets[which % secrets.length]);
            return filler + forms[form % forms.length];
          })
          .join('');
        const out = streamed(masker, text, cuts, bytes);
        for (const f of masker.forms()) assert.ok(!out.includes(f), `a form of a secret survived in ${JSON.stringify(out)}`);
      },
    ),
    { numRuns: 400 },
  );
});

test('text with no secret in it passes through byte for byte, however it is chunked', () => {
  fc.assert(
    fc.property(
      fc.array(secretArb, { minLength: 0, maxLength: 5 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (secrets, text, cuts, bytes) => {
        const masker = new SecretMasker();
        secrets.forEach((s, i) => masker.register(s, `secret ${i}`));
        fc.pre(!masker.containsSecret(text) && !/gh[a-z_]|:\/\/|-----BEGIN/.test(text));
        assert.equal(streamed(masker, text, cuts, bytes), text);
      },
    ),
    { numRuns: 400 },
  );
});
