import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/**
 * A fresh directory under the system temp directory for the tests of one file or `describe` block,
 * created before them and removed after them. Returns its path (known once the tests run).
 */
export function temporaryDirectory(prefix: string): () => string {
  let path = '';
  before(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(path, { recursive: true, force: true });
  });
  return () => path;
}
