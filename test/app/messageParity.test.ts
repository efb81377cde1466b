/**
 * The same trail with AWS's enhanced AccessDenied messages and with the legacy `Access Denied`: the
 * enhanced message names one request where the operation's catalogue derives them all, but a finding's
 * grouping and job profile must not depend on which form the trail holds. Callers in another account
 * are the exception: only the enhanced message names them, so their events may group differently.
 *
 * The end-to-end tests cannot check this: moto writes the legacy message. The trail is the bench's
 * generator (mixed principals, operations and causes), small enough for a test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { writeTrailFiles } from '../../bench/generateTrail.js';
import { loadExplainContext } from '../../src/app/loadExplainContext.js';
import { explainTexts } from '../../src/domain/explain/explainBatch.js';
import type { Finding } from '../../src/domain/explain/report.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

describe('enhanced and legacy AccessDenied messages give the same findings and job profiles', () => {
  const dir = temporaryDirectory('pa-parity-');

  test('on a generated 12,000-record trail: every same-account finding keeps its events, and its job profile', async () => {
    const files = writeTrailFiles({ events: 12_000, seed: 7, directory: dir() });
    const loaded = await loadExplainContext({
      accountSnapshot: files.snapshotFile,
      bucketPolicies: [...files.bucketPolicyArgs],
      scps: [files.scpFile],
    });
    assert.ok(loaded.ok);
    const text = readFileSync(files.trailFile, 'utf8');
    const trail = JSON.parse(text) as { Records: Record<string, unknown>[] };
    let rewritten = 0;
    for (const record of trail.Records) {
      if (record.errorCode === 'AccessDenied' && String(record.errorMessage).startsWith('User: ')) {
        record.errorMessage = 'Access Denied';
        rewritten++;
      }
    }
    assert.ok(rewritten > 5_000, `${rewritten} enhanced messages`);
    const enhanced = explainTexts([{ input: 'enhanced.json', text }], loaded.context).findings;
    const legacy = explainTexts(
      [{ input: 'legacy.json', text: JSON.stringify(trail) }],
      loaded.context,
    ).findings;

    const byFirstEvent = new Map<string, Finding>(legacy.map((f) => [f.eventIds[0] ?? '', f]));
    const accountId = '111122223333';
    let compared = 0;
    let withProfile = 0;
    for (const finding of enhanced) {
      if (finding.principal.account !== accountId) continue;
      const other = byFirstEvent.get(finding.eventIds[0] ?? '');
      assert.ok(other, `no legacy finding starts with ${finding.eventIds[0]} (${finding.summary})`);
      assert.deepEqual(other.eventIds, finding.eventIds, finding.summary);
      assert.deepEqual(other.jobProfile?.statements, finding.jobProfile?.statements, finding.summary);
      compared++;
      if (finding.jobProfile !== null) withProfile++;
    }
    assert.ok(
      compared > 200 && withProfile > 100,
      `${compared} findings compared, ${withProfile} with a profile`,
    );
  });
});
