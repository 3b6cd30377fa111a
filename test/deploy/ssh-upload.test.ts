import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ArtifactUploads, heldUpload, PLAIN_TAR_SLACK, uploadBytes, uploadEncoding } from '../../src/deploy/transports/ssh-upload.js';
import { rawTar, sha256, tempDir } from './fixtures.js';

/** A tar of `random` random bytes followed by `zeros` zero bytes (which gzip shrinks to almost nothing). */
function tarOf(random: number, zeros: number): Buffer {
  return rawTar([{ name: 'data.bin', type: '0', body: Buffer.concat([randomBytes(random), Buffer.alloc(zeros)]) }]);
}

test('a tar at most 5 % larger than its .tar.gz is sent as tar, a larger one as the .tar.gz', async () => {
  assert.equal(PLAIN_TAR_SLACK, 0.05);
  for (const [zeros, expected] of [[0, 'tar'], [2_000, 'tar'], [8_000, 'gzip'], [100_000, 'gzip']] as const) {
    const tar = tarOf(100_000, zeros);
    const gz = gzipSync(tar);
    const ratio = tar.length / gz.length;
    const upload = await heldUpload(gz, sha256(gz));
    assert.equal(upload.kind, 'bytes');
    assert.equal(uploadEncoding(upload), expected, `tar ${ratio.toFixed(3)} times the .tar.gz`);
    assert.ok(upload.kind === 'bytes' && upload.data.equals(expected === 'tar' ? tar : gz), 'the tar unpacked from it, or the verified bytes themselves');
    assert.equal(upload.sha256, sha256(gz), "the digest line names the verified artifact's digest either way");
  }
  // Stored without compression (gzip -0): the tar is smaller than the .tar.gz.
  const stored = gzipSync(tarOf(1_000, 50_000), { level: 0 });
  assert.equal(uploadEncoding(await heldUpload(stored, sha256(stored))), 'tar');
});

test('a .tar.gz this zlib cannot unpack is sent as it is, for the target to refuse', async () => {
  const gz = gzipSync(tarOf(50_000, 0));
  const corrupt = Buffer.from(gz);
  corrupt[corrupt.length - 8] ^= 0x01;
  assert.throws(() => gunzipSync(corrupt), /incorrect data check/);
  const upload = await heldUpload(corrupt, sha256(corrupt));
  assert.ok(upload.kind === 'bytes' && upload.encoding === 'gzip' && upload.data.equals(corrupt));
});

test('the uploads read a file once, compare it with the verified digest, and stream one past the buffer limit', async () => {
  const dir = await tempDir();
  try {
    const gz = gzipSync(tarOf(200_000, 0));
    const file = join(dir.path, 'app.tar.gz');
    await writeFile(file, gz);
    const uploads = new ArtifactUploads();
    const first = await uploads.get(file, sha256(gz));
    await writeFile(file, 'replaced');
    assert.equal(await uploads.get(file, sha256(gz)), first, 'held for the rest of the deploy');
    assert.ok('kind' in first && first.kind === 'bytes' && first.encoding === 'tar' && uploadBytes(first) === gunzipSync(gz).length);
    uploads.clear();
    const changed = await uploads.get(file, sha256(gz));
    assert.ok(!('kind' in changed) && changed.code === 'target.digest', 'read again after clear, and refused');
    await writeFile(file, gz);
    const streamed = await new ArtifactUploads(1024).get(file, sha256(gz));
    assert.ok('kind' in streamed && streamed.kind === 'file' && uploadEncoding(streamed) === 'gzip' && uploadBytes(streamed) === gz.length,
      'streamed from the file as the .tar.gz, never unpacked here');
  } finally {
    await dir.cleanup();
  }
});
