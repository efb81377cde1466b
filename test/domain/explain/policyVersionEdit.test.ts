/**
 * A managed policy's Version when statements are added to it. Without Version 2012-10-17 (none given is
 * read as 2008-10-17) IAM reads `${…}` literally: giving the document that Version would turn `${…}` in its
 * own statements into policy variables and change what they grant, and statements written with `${*}`
 * escapes would grant nothing under the old one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext } from './explainFixtures.js';

const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/BackupData`;

function contextWith(document: Record<string, unknown>) {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        {
          UserName: 'backup',
          UserId: 'AIDAEXAMPLE',
          Arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
          Path: '/',
          GroupList: [],
          AttachedManagedPolicies: [{ PolicyName: 'BackupData', PolicyArn: POLICY_ARN }],
        },
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [
        {
          PolicyName: 'BackupData',
          Arn: POLICY_ARN,
          Path: '/',
          DefaultVersionId: 'v1',
          AttachmentCount: 1,
          PolicyVersionList: [{ Document: document, VersionId: 'v1', IsDefaultVersion: true }],
        },
      ],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return explainContext({ snapshot: parsed.snapshot });
}

function putDenied(key: string) {
  return deniedRecord({
    requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the s3:PutObject action`,
    resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` }],
  });
}

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const reads = { Sid: 'Reads', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' };
const home = {
  Sid: 'Home',
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::home/${aws:username}/*',
};

describe('the Version of a managed policy that gets statements', () => {
  test('a 2008-10-17 policy without ${ becomes 2012-10-17, so that an escaped * in a key works', () => {
    const report = explainTexts(
      text(putDenied('we*ird/a.txt')),
      contextWith({ Version: '2008-10-17', Statement: [reads] }),
    );
    const fix = report.findings[0]?.fix;
    assert.equal(fix?.policyArn, POLICY_ARN);
    assert.equal((fix?.newDocument as { Version?: string } | undefined)?.Version, '2012-10-17');
    assert.deepEqual(fix?.statements[0]?.Resource, ['arn:aws:s3:::data/we${*}ird/*']);
    assert.equal(fix?.verified, true);
  });

  test('a policy without Version whose statements hold ${ keeps none, and is left out for statements that need it', () => {
    const kept = explainTexts(text(putDenied('daily/a.txt')), contextWith({ Statement: [reads, home] }));
    const fix = kept.findings[0]?.fix;
    assert.equal(fix?.policyArn, POLICY_ARN);
    assert.ok(fix?.newDocument !== undefined && !('Version' in (fix.newDocument as object)));
    assert.equal(fix?.verified, true);

    const escaped = explainTexts(text(putDenied('we*ird/a.txt')), contextWith({ Statement: [reads, home] }));
    const moved = escaped.findings[0];
    assert.equal(moved?.fix?.attachKind, 'inline-policy');
    assert.equal(moved?.fix?.verified, true);
    assert.ok(
      moved?.caveats.some((c) =>
        /^BackupData was left as it is: its Version is not given \(IAM reads it as 2008-10-17\)/.test(c),
      ),
      moved?.caveats.join('\n'),
    );
  });
});
