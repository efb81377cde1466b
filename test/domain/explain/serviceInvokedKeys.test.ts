/**
 * A request an AWS service made in the caller's name (Athena reading the table's objects): CloudTrail
 * names the service in `invokedBy` for a call through a forward access session (which sets
 * aws:ViaAWSService and aws:CalledVia) and for one made with a service role (which does not) alike, so
 * those keys are unknown for it, not absent: a data-perimeter Deny on them is not taken to have refused
 * it, and is named instead.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUnloggedKey } from '../../../src/domain/explain/denyAdvice.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  explainContext,
  snapshotWithUser,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

/** A GetObject Athena made for the fixtures' user, refused with the legacy message. */
function athenaRead(): Record<string, unknown> {
  return deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'table/part-0.parquet', {
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
      accountId: ACCOUNT,
      userName: 'backup',
      invokedBy: 'athena.amazonaws.com',
    },
    sourceIPAddress: 'athena.amazonaws.com',
    userAgent: 'athena.amazonaws.com',
    errorMessage: 'Access Denied',
  });
}

/** The same read, made by the user itself from an address. */
const directRead = () =>
  deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'table/part-0.parquet', {
    errorMessage: 'Access Denied',
  });

const READ = {
  Sid: 'Read',
  Effect: 'Allow',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
};
const OUTSIDE_ATHENA = {
  Sid: 'DenyOutsideAthena',
  Effect: 'Deny',
  Action: 's3:*',
  Resource: '*',
  Condition: { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } },
};

describe('keys a forward access session sets, for a request an AWS service made (invokedBy)', () => {
  test('unknown for an IAM caller whose record does not show them; absent for a service or once the record shows a direct call', () => {
    const iam = (key: string) => key === 'aws:principalaccount';
    const direct = (key: string) => key === 'aws:principalaccount' || key === 'aws:viaawsservice';
    assert.equal(isUnloggedKey('aws:viaawsservice', 's3:getobject', iam), true);
    for (const key of ['aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast']) {
      assert.equal(isUnloggedKey(key, 's3:getobject', iam), true, key);
      assert.equal(isUnloggedKey(key, 's3:getobject', direct), false, key);
      assert.equal(
        isUnloggedKey(key, 's3:getobject', (k) => k === 'aws:principalisawsservice'),
        false,
        key,
      );
    }
    assert.equal(
      isUnloggedKey('aws:viaawsservice', 's3:getobject', () => false),
      false,
    );
  });

  test("an identity Deny outside Athena is not taken to refuse Athena's read: named, the visible policies allow it", () => {
    const report = explainTexts(text(athenaRead()), backupUserContext([READ, OUTSIDE_ATHENA]));
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.deepEqual(finding?.deniedBy, []);
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"DenyOutsideAthena"') &&
          c.includes('aws:CalledVia ForAllValues:StringNotEquals "athena.amazonaws.com"') &&
          c.includes("the record's invokedBy does not tell"),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('the same Deny refuses a call the caller made itself from an address (aws:CalledVia absent for certain)', () => {
    const report = explainTexts(text(directRead()), backupUserContext([READ, OUTSIDE_ATHENA]));
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['DenyOutsideAthena'],
    );
  });

  test("a bucket policy's network perimeter (aws:ViaAWSService BoolIfExists false) is not taken to refuse it", () => {
    const perimeter = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EnforceNetworkPerimeter',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
          Condition: {
            NotIpAddressIfExists: { 'aws:SourceIp': '192.0.2.0/24' },
            BoolIfExists: { 'aws:ViaAWSService': 'false' },
          },
        },
      ],
    };
    const report = explainTexts(
      text(athenaRead()),
      explainContext({
        snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: [READ] }),
        bucketPolicies: new Map([['data', perimeter]]),
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some(
        (c) => c.includes('"EnforceNetworkPerimeter"') && c.includes('aws:ViaAWSService'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('send the request from an address')));
  });

  test('an Allow only through Athena is said to be unverifiable for it, not unmet; unmet for a direct call', () => {
    const onlyViaAthena = {
      Sid: 'OnlyViaAthena',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::data/*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } },
    };
    const viaAthena = explainTexts(text(athenaRead()), backupUserContext([onlyViaAthena])).findings[0];
    assert.ok(
      viaAthena?.caveats.some(
        (c) =>
          c.includes('OnlyViaAthena') &&
          c.includes('the input does not show the request meeting') &&
          c.includes('unknown here, not absent'),
      ),
      viaAthena?.caveats.join(' | '),
    );
    const direct = explainTexts(text(directRead()), backupUserContext([onlyViaAthena])).findings[0];
    assert.ok(
      direct?.caveats.some(
        (c) => c.includes('OnlyViaAthena') && c.includes('the request had no aws:CalledVia'),
      ),
      direct?.caveats.join(' | '),
    );
  });
});
