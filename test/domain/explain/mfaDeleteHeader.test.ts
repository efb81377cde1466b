/**
 * A version delete that sent MFA delete's x-amz-mfa header, refused by an IAM condition on
 * aws:MultiFactorAuthPresent: the advice says the header does not meet it. The header is checked by S3
 * itself on a bucket with MFA delete enabled; the condition key says whether the credentials that
 * signed the request were obtained with MFA.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMFADelete.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const ALLOW = { Effect: 'Allow', Action: 's3:DeleteObjectVersion', Resource: 'arn:aws:s3:::data/*' };
const REQUIRE_MFA = {
  Sid: 'RequireMfaForVersionDelete',
  Effect: 'Deny',
  Action: 's3:DeleteObjectVersion',
  Resource: 'arn:aws:s3:::*',
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
};

function versionDelete(headers: Record<string, string>) {
  return deniedRecord({
    eventName: 'DeleteObject',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObjectVersion on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in an identity-based policy`,
    requestParameters: {
      bucketName: 'data',
      key: 'in/a.csv',
      versionId: 'v1',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      ...headers,
    },
  });
}

function denyCaveat(headers: Record<string, string>): string {
  const [finding] = explainTexts(
    text(versionDelete(headers)),
    backupUserContext([ALLOW, REQUIRE_MFA]),
  ).findings;
  assert.equal(finding?.cause, 'identity-explicit-deny', finding?.caveats.join(' | '));
  const caveat = finding?.caveats.find((c) => c.includes('"RequireMfaForVersionDelete"'));
  assert.ok(caveat !== undefined, finding?.caveats.join(' | '));
  return caveat;
}

describe('the x-amz-mfa header next to an IAM MFA condition', () => {
  test('a request that sent it is told the header does not meet aws:MultiFactorAuthPresent', () => {
    const caveat = denyCaveat({ 'x-amz-mfa': `arn:aws:iam::${ACCOUNT}:mfa/backup 123456` });
    assert.match(caveat, /sign the requests with temporary credentials obtained with MFA/);
    assert.match(
      caveat,
      /; the x-amz-mfa header the request sent \(aws-cli --mfa\) does not meet this condition: it is MFA delete's, which S3 checks itself on a bucket with MFA delete enabled \(https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/UsingMFADelete\.html\), while aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge say whether the credentials that signed the request were obtained with MFA/,
    );
  });

  test('a request without it is not', () => {
    assert.doesNotMatch(denyCaveat({}), /x-amz-mfa/);
  });
});
