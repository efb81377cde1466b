import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../../src/domain/cloudtrail/types.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { keyPolicyCaveat } from '../../../src/domain/explain/kmsKeyPolicy.js';
import { backupUserContext, deniedObjectRecord } from './explainFixtures.js';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:999988887777:key/0000aaaa-12ab-34cd-56ef-1234567890ab';
const VIA_S3 = 's3.eu-west-1.amazonaws.com';

const role: Principal = {
  type: 'Role',
  arn: 'arn:aws:sts::111122223333:assumed-role/invoice-renderer/task-1',
  account: '111122223333',
  roleArn: 'arn:aws:iam::111122223333:role/app/invoice-renderer',
};

/** The JSON statements a caveat holds, in order (each from `{"Sid"` to its balanced closing brace). */
function statementsIn(caveat: string | undefined): Record<string, unknown>[] {
  assert.ok(caveat !== undefined);
  const out: Record<string, unknown>[] = [];
  for (let at = caveat.indexOf('{"Sid"'); at >= 0; at = caveat.indexOf('{"Sid"', at + 1)) {
    let depth = 0;
    let end = at;
    do {
      if (caveat[end] === '{') depth++;
      else if (caveat[end] === '}') depth--;
      end++;
    } while (depth > 0 && end < caveat.length);
    out.push(JSON.parse(caveat.slice(at, end)) as Record<string, unknown>);
  }
  return out;
}

describe('keyPolicyCaveat', () => {
  test("names the role (not its session) with the key's actions, limited to use through S3", () => {
    const caveat = keyPolicyCaveat(role, [
      { action: 'kms:GenerateDataKey', keyArn: KEY, viaService: VIA_S3 },
      { action: 'kms:Decrypt', keyArn: KEY, viaService: VIA_S3 },
    ]);
    assert.match(caveat ?? '', /not verified: key policies are not an input here/);
    assert.ok(caveat?.includes(`key policy of ${KEY}`));
    assert.deepEqual(statementsIn(caveat), [
      {
        Sid: 'AllowUseThroughS3',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/app/invoice-renderer' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
      },
    ]);
    assert.doesNotMatch(caveat ?? '', /identity policies must also allow/);
  });

  test('a key in another account needs the identity side too; a key not named gets the statement for "the key the request used"', () => {
    const user: Principal = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/uploader',
      account: '111122223333',
    };
    const crossAccount = keyPolicyCaveat(user, [{ action: 'kms:GenerateDataKey', keyArn: OTHER_KEY }]);
    assert.match(
      crossAccount ?? '',
      /the key is in account 999988887777, so the caller's identity policies must also allow kms:GenerateDataKey on arn:aws:kms:eu-west-1:999988887777:key\//,
    );
    assert.equal(statementsIn(crossAccount)[0]?.Condition, undefined);
    const unnamed = keyPolicyCaveat(user, [{ action: 'kms:Decrypt', viaService: VIA_S3 }]);
    assert.match(unnamed ?? '', /key policy of the key the request used/);
    assert.deepEqual(statementsIn(unnamed)[0]?.Principal, { AWS: user.arn });
  });

  test('an upload (kms:GenerateDataKey) is told that multipart uploads need kms:Decrypt too; a read is not', () => {
    const user: Principal = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/uploader',
      account: '111122223333',
    };
    const upload = keyPolicyCaveat(user, [{ action: 'kms:GenerateDataKey', keyArn: KEY }]) ?? '';
    assert.match(upload, /multipart upload.* also needs kms:Decrypt on the key/);
    assert.match(upload, /mpuoverview\.html#mpuAndPermissions/);
    assert.deepEqual(
      statementsIn(upload)[0]?.Action,
      ['kms:GenerateDataKey'],
      'the statement itself stays minimal',
    );
    assert.doesNotMatch(keyPolicyCaveat(user, [{ action: 'kms:Decrypt', keyArn: KEY }]) ?? '', /multipart/);
  });

  test('no statement for callers a key policy cannot name this way, or without a KMS call', () => {
    const root: Principal = { type: 'Root', arn: 'arn:aws:iam::111122223333:root', account: '111122223333' };
    assert.equal(keyPolicyCaveat(root, [{ action: 'kms:Decrypt', keyArn: KEY }]), undefined);
    assert.equal(keyPolicyCaveat(role, []), undefined);
  });
});

describe('findings refused by a KMS key', () => {
  test("a read refused kms:Decrypt on the object's key gets the key policy statement for the reading user", () => {
    const record = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: kms:Decrypt on resource: "${KEY}" because no resource-based policy allows the kms:Decrypt action`,
    });
    const context = backupUserContext([
      { Effect: 'Allow', Action: ['s3:GetObject', 'kms:Decrypt'], Resource: ['arn:aws:s3:::data/*', KEY] },
    ]);
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [record] }) }], context);
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'kms-key');
    const caveat = finding?.caveats.find((c) => c.startsWith('To let the caller use the key through S3'));
    assert.deepEqual(statementsIn(caveat), [
      {
        Sid: 'AllowUseThroughS3',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:user/backup' },
        Action: ['kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
      },
    ]);
    assert.ok(caveat?.includes(`key policy of ${KEY}`));
  });

  test('an upload that names its KMS key is not told about the default key of a request that names none', () => {
    const named = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'x',
      },
    });
    const unnamed = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: 'Access Denied',
    });
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const caveatsOf = (record: Record<string, unknown>) =>
      explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [record] }) }], context).findings[0]
        ?.caveats ?? [];
    const defaultKey = (c: string) => c.startsWith('If the bucket has default SSE-KMS encryption');
    assert.ok(!caveatsOf(named).some(defaultKey), caveatsOf(named).join(' | '));
    // The caller's policies allow s3:PutObject alone: the caveat says they lack the key's use.
    assert.ok(
      caveatsOf(named).some((c) =>
        c.startsWith(`The caller's own policies do not allow kms:GenerateDataKey on ${KEY}`),
      ),
    );
    assert.ok(caveatsOf(unnamed).some(defaultKey));
  });
});
