/**
 * The masking cases: each registers secrets, feeds an input and names the exact
 * output expected. Shared by the table-driven suite (whole strings, every
 * two-chunk split, byte-at-a-time Buffers) and by the CLI filter tests.
 */
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const ESC = '\x1b';

export interface MaskCase {
  name: string;
  secrets: string[];
  input: string;
  expected: string;
}

const S = 'hunter2secret';
const KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'QyNTUxOQAAACDz0j1Y9e4Ne5P8rN5m5m0FakeKeyMaterialOnly', '-----END OPENSSH PRIVATE KEY-----'].join('\n');

export const CASES: MaskCase[] = [
  { name: 'the value itself', secrets: [S], input: `pass=${S} ok`, expected: 'pass=*** ok' },
  { name: 'every occurrence on a line', secrets: [S], input: `${S} and ${S}`, expected: '*** and ***' },
  { name: 'touching occurrences merge into one mask', secrets: [S], input: `[${S}${S}]`, expected: '[***]' },
  { name: 'overlapping secrets merge into one mask', secrets: ['abcdefgh', 'efghijkl'], input: 'xabcdefghijklx', expected: 'x***x' },
  { name: 'two different secrets side by side merge', secrets: ['alpha-one', 'beta-two'], input: 'alpha-onebeta-two.', expected: '***.' },
  { name: 'a secret that is a prefix of another', secrets: ['secret', 'secret-longer'], input: 'secret-longer, secret-long', expected: '***, ***-long' },
  { name: 'a secret that is a suffix of another', secrets: ['longsecret', 'secret'], input: 'longsecret secret gsecret', expected: '*** *** g***' },
  { name: 'a secret inside another', secrets: ['abcdefghij', 'defg'], input: 'abcdefghij abcdefgxyz', expected: '*** abc***xyz' },
  { name: 'a shorter secret ending where a longer one begins', secrets: ['xxabcd', 'abcdefgh'], input: 'xxabcdefgh!', expected: '***!' },
  { name: 'matching is case-sensitive', secrets: ['Secret1234'], input: 'secret1234 SECRET1234 Secret1234', expected: 'secret1234 SECRET1234 ***' },
  { name: 'base64 with no trailing newline, length a multiple of 3', secrets: ['abcdef'], input: `v=${b64('abcdef')};`, expected: 'v=***;' },
  { name: 'echo "$S" | base64, length 3n+1', secrets: ['abcd'], input: `${b64('abcd\n')}\n`, expected: '***\n' },
  { name: 'echo "$S" | base64, length 3n+2', secrets: ['abcde'], input: `${b64('abcde\n')}\n`, expected: '***\n' },
  { name: 'echo "$S" | base64, length 3n', secrets: ['abcdef'], input: `${b64('abcdef\n')}\n`, expected: '***\n' },
  { name: 'base64 of the secret after one other byte', secrets: [S], input: b64(`x${S}`), expected: `${b64('x' + S).slice(0, 2)}***` },
  { name: 'base64 of the secret after two other bytes, then more', secrets: [S], input: b64(`xy${S}tail-bytes`), expected: maskedTail(`xy${S}tail-bytes`, 2) },
  { name: 'base64 wrapped at 76 columns by base64(1)', secrets: ['a-long-secret-value-that-takes-more-than-fifty-seven-bytes-0123456789'], input: wrap(b64('a-long-secret-value-that-takes-more-than-fifty-seven-bytes-0123456789\n')) + '\n', expected: '***\n' },
  { name: 'URL-encoded fully, upper-case hex', secrets: ['p@ss w/rd'], input: `q=${[...Buffer.from('p@ss w/rd')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('')}&`, expected: 'q=***&' },
  { name: 'URL-encoded fully, lower-case hex', secrets: ['p@ss w/rd'], input: `q=${[...Buffer.from('p@ss w/rd')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')}&`, expected: 'q=***&' },
  { name: 'as encodeURIComponent leaves it', secrets: ["p@ss w/rd!'()*"], input: `?pw=${encodeURIComponent("p@ss w/rd!'()*")}&x=1`, expected: '?pw=***&x=1' },
  { name: 'JSON-string-escaped', secrets: ['quo"te\\back\tslash'], input: JSON.stringify({ pw: 'quo"te\\back\tslash' }), expected: '{"pw":"***"}' },
  { name: 'with " backslash-escaped', secrets: ['say "hi" now'], input: 'cmd "say \\"hi\\" now"', expected: 'cmd "***"' },
  { name: 'XML-escaped', secrets: ['a<b>&c'], input: '<pw>a&lt;b&gt;&amp;c</pw>', expected: '<pw>***</pw>' },
  { name: 'HTML-escaped with quotes', secrets: [`it's "x"&y`], input: '<input value="it&#39;s &quot;x&quot;&amp;y">', expected: '<input value="***">' },
  { name: "as bash -x prints it: 'foo'\\''bar'", secrets: ["it's-secret"], input: "+ curl -u 'it'\\''s-secret' https://x\n", expected: "+ curl -u '***' https://x\n" },
  { name: 'a JSON-shaped secret printed without its quotes', secrets: ['{"user":"svc","pass":"pa55word"}'], input: 'creds: {user:svc,pass:pa55word}\n', expected: 'creds: ***\n' },
  { name: 'a multi-line secret printed whole', secrets: ['line-one\nline-two\nline-three'], input: 'k=line-one\nline-two\nline-three;\n', expected: 'k=***;\n' },
  { name: 'a multi-line secret: each trimmed line alone', secrets: ['  first-line\n  second-line\n'], input: 'a first-line b\nc second-line d\n', expected: 'a *** b\nc *** d\n' },
  { name: 'a multi-line secret whose lines are short', secrets: ['ab\ncd\nef'], input: 'x\nab\ncd\nef\ny\n', expected: 'x\n***\ny\n' },
  { name: 'a multi-line secret printed with CRLF', secrets: ['line-one\nline-two'], input: 'line-one\r\nline-two\r\n', expected: '***\r\n' },
  { name: 'a non-ASCII value', secrets: ['pässwörd-✓'], input: 'pw: pässwörd-✓ ok', expected: 'pw: *** ok' },
  { name: 'a value with astral characters', secrets: ['🔑key🔑'], input: '<🔑key🔑>', expected: '<***>' },
  { name: 'a non-ASCII value JSON-escaped as ASCII', secrets: ['pässwörd'], input: '{"pw":"p\\u00e4ssw\\u00f6rd"}', expected: '{"pw":"***"}' },
  { name: 'ANSI colour codes around the whole secret', secrets: [S], input: `${ESC}[31m${S}${ESC}[0m`, expected: `${ESC}[31m***${ESC}[0m` },
  { name: 'ANSI colour codes around parts of a secret', secrets: [S], input: `${ESC}[1;32mhunter${ESC}[0m2${ESC}[33msecret${ESC}[0m!`, expected: `${ESC}[1;32m***${ESC}[0m!` },
  { name: 'secrets that look like regex syntax', secrets: ['a.*b+c?(d)[e]{2}|^$\\'], input: 'x a.*b+c?(d)[e]{2}|^$\\ y axxxbc', expected: 'x *** y axxxbc' },
  { name: 'a regex-looking secret does not match what the regex would', secrets: ['[0-9]+x'], input: '123x [0-9]+x', expected: '123x ***' },
  { name: 'the ::add-mask:: line printed by a child is masked like any line', secrets: [S], input: `::add-mask::${S}\n`, expected: '::add-mask::***\n' },
  { name: 'an annotation title carrying the secret', secrets: [S], input: `::error title=bad ${S}::failed with ${S}\n`, expected: '::error title=bad ***::failed with ***\n' },
  { name: 'a GitHub personal access token, unregistered', secrets: [], input: 'token ghp_16C7e42F292c6912E7710c838347Ae178B4a and more', expected: 'token *** and more' },
  { name: 'GitHub app, OAuth and user tokens, unregistered', secrets: [], input: 'ghs_abcdefghijklmnopqrstuv gho_ABCDEFGHIJKLMNOP1234 ghu_0123456789abcdefghij', expected: '*** *** ***' },
  { name: 'a fine-grained github_pat_ token, unregistered', secrets: [], input: 'GH=github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi\n', expected: 'GH=***\n' },
  { name: 'something that only starts like a token is left alone', secrets: [], input: 'highs_count ghp_short', expected: 'highs_count ghp_short' },
  { name: 'a private key block, unregistered', secrets: [], input: `key:\n${KEY}\ndone\n`, expected: 'key:\n***\ndone\n' },
  { name: 'a certificate is not a private key', secrets: [], input: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', expected: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  { name: 'the password of a URL, unregistered', secrets: [], input: 'db postgres://app:s3cr3t-pw@db.internal:5432/app ok', expected: 'db postgres://app:***@db.internal:5432/app ok' },
  { name: 'a URL with an empty user', secrets: [], input: 'redis://:topsecret@cache:6379', expected: 'redis://:***@cache:6379' },
  { name: 'a URL with a port and no password is left alone', secrets: [], input: 'see https://example.com:8443/a@b and mailto:x@y', expected: 'see https://example.com:8443/a@b and mailto:x@y' },
  { name: 'text without secrets passes through', secrets: [S], input: 'plain text, with ümlauts 🙂 and \t tabs\r\n', expected: 'plain text, with ümlauts 🙂 and \t tabs\r\n' },
  { name: 'a near miss at the end of input is released', secrets: [S], input: 'ends with hunter2secre', expected: 'ends with hunter2secre' },
];

function wrap(s: string): string {
  return s.match(/.{1,76}/g)!.join('\n');
}

/** base64 of `text` with the characters that encode the secret (starting at byte `at`) masked. */
function maskedTail(text: string, at: number): string {
  const enc = b64(text);
  const lead = at === 1 ? 2 : 3;
  const end = Math.floor((8 * (at + Buffer.byteLength(S))) / 6);
  return enc.slice(0, lead) + '***' + enc.slice(end);
}
