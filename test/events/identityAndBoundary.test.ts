/**
 * One job refused twice: PutObject by its identity policy (its boundary allows it), DeleteObject by its
 * permissions boundary (its identity policy allows it). The identity policy gets only what it refuses,
 * and the boundary only what it refuses.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

describe('a group refused by the identity policy for one request and by the boundary for another', () => {
  test('each policy gets the statement for what it refuses, and nothing it already grants', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'identity-and-boundary'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'ImplicitlyDenied'],
        ['s3:DeleteObject', 'ImplicitlyDenied'],
      ],
    );
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:PutObject']],
    );
    assert.deepEqual(
      finding?.fix?.boundary?.statements.map((s) => s.Action),
      [['s3:DeleteObject']],
    );
    assert.equal(finding?.fix?.verified, true);
    // The summary says which policy refuses which request.
    assert.match(
      finding?.summary ?? '',
      /: no identity-based policy allows s3:PutObject, and the permissions boundary does not allow s3:DeleteObject\. Fix:/,
    );
  });

  test('a request both refuse is said as refused by both, beside one the boundary alone refuses', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'identity-and-boundary'),
      ['both-and-boundary-event.json', '--account-snapshot', 'sample43-authz.json'],
    );
    assert.match(
      report.findings[0]?.summary ?? '',
      /: neither the identity-based policies nor the permissions boundary allow s3:PutObjectTagging, and the permissions boundary does not allow s3:DeleteObject\. Fix:/,
    );
  });
});
