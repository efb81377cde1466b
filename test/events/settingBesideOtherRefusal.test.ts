/**
 * One caller's group holding a refusal AWS says an S3 setting made (a versioned delete Object Lock
 * refused) and another with the generic "Access Denied" (a read 33 seconds later, which Object Lock never
 * refuses): the group is not said to be refused by the setting as a whole; the read keeps what can still
 * deny it, and the delete keeps its Object Lock note. Alone, the delete is the setting's.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'setting-beside-other-refusal');

describe('an S3 setting refusal beside another refusal of the same caller', () => {
  test('the group is not the setting as a whole; each refusal keeps its own note', async () => {
    const report = await explainScenario(DIR, [
      'object-lock-event.json',
      'read-event.json',
      '--account-snapshot',
      'authz.json',
    ]);
    const [finding] = report.findings;
    assert.equal(report.findings.length, 1);
    assert.notEqual(finding?.cause, 's3-setting');
    assert.ok(finding?.caveats.some((c) => c.startsWith("AWS's message names S3 Object Lock")));
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('The visible policies allow every request. What can still deny them'),
      ),
    );
    assert.ok(
      !finding?.caveats.some((c) => c.startsWith('The visible policies do not allow the request either')),
    );
  });

  test('alone, the delete is refused by the setting', async () => {
    const report = await explainScenario(DIR, ['object-lock-event.json', '--account-snapshot', 'authz.json']);
    assert.equal(report.findings[0]?.cause, 's3-setting');
  });
});
