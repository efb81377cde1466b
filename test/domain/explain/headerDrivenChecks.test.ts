/**
 * An upload whose headers set an ACL or tags needs s3:PutObjectAcl or s3:PutObjectTagging besides
 * s3:PutObject (PutObject's API reference, Permissions). AWS's enhanced message names only the first
 * action it refused: the others the headers add are evaluated too, so that the fix and the job profile
 * are those of the legacy "Access Denied" message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedRecord } from './explainFixtures.js';

const V2_CP_AGENT =
  '[aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp]';

function explainUpload(headers: Record<string, string>, errorMessage: string | undefined) {
  const record = deniedRecord({
    userAgent: V2_CP_AGENT,
    requestParameters: {
      bucketName: 'data',
      key: 'in/a.csv',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      ...headers,
    },
    ...(errorMessage !== undefined ? { errorMessage } : {}),
  });
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

/** The enhanced message (deniedRecord's), and the legacy one of the same refusal. */
const FORMS = { enhanced: undefined, legacy: 'Access Denied' } as const;

describe('an upload with ACL or tagging headers refused s3:PutObject', () => {
  for (const [form, message] of Object.entries(FORMS)) {
    test(`${form} message: x-amz-acl adds s3:PutObjectAcl to the requests, the fix and the job profile`, () => {
      const finding = explainUpload({ 'x-amz-acl': 'bucket-owner-full-control' }, message);
      assert.deepEqual(
        finding.requests.map((r) => [r.action, r.decision]),
        [
          ['s3:PutObject', 'ImplicitlyDenied'],
          ['s3:PutObjectAcl', 'ImplicitlyDenied'],
        ],
      );
      // s3:PutObjectAcl only for the canned ACL sent: granted bare, it would let the user set any ACL.
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource, s.Condition]),
        [
          [['s3:PutObject'], ['arn:aws:s3:::data/in/*'], undefined],
          [
            ['s3:PutObjectAcl'],
            ['arn:aws:s3:::data/in/*'],
            { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
          ],
        ],
      );
      assert.equal(finding.fix?.verified, true);
      const actions = finding.jobProfile?.statements.flatMap((s) => s.Action);
      assert.ok(actions?.includes('s3:PutObjectAcl'), JSON.stringify(finding.jobProfile));
    });

    test(`${form} message: x-amz-tagging and a grant header add s3:PutObjectTagging and s3:PutObjectAcl`, () => {
      const finding = explainUpload({ 'x-amz-tagging': 'team=etl', 'x-amz-grant-read': 'id=abc' }, message);
      assert.deepEqual(finding.requests.map((r) => r.action).sort(), [
        's3:PutObject',
        's3:PutObjectAcl',
        's3:PutObjectTagging',
      ]);
      assert.deepEqual(finding.fix?.statements.flatMap((s) => s.Action).sort(), [
        's3:PutObject',
        's3:PutObjectAcl',
        's3:PutObjectTagging',
      ]);
    });
  }

  test('without such headers the enhanced message gives s3:PutObject alone', () => {
    const finding = explainUpload({}, undefined);
    assert.deepEqual(
      finding.requests.map((r) => r.action),
      ['s3:PutObject'],
    );
  });

  test('a message that names s3:PutObjectAcl does not add s3:PutObject, which AWS did not refuse', () => {
    const finding = explainUpload(
      { 'x-amz-acl': 'public-read', 'x-amz-tagging': 'team=etl' },
      `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObjectAcl action`,
    );
    assert.deepEqual(finding.requests.map((r) => r.action).sort(), [
      's3:PutObjectAcl',
      's3:PutObjectTagging',
    ]);
  });
});

/**
 * GetObjectAttributes needs two actions on every request: s3:GetObject and s3:GetObjectAttributes, or
 * with a version ID s3:GetObjectVersion and s3:GetObjectVersionAttributes (its API reference,
 * Permissions). AWS's enhanced message names the first it refused: the other is evaluated too, so the
 * fix is not refused the other on the next run.
 */
describe('GetObjectAttributes refused one of the two actions it needs', () => {
  const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
  const deniedMessage = (action: string) =>
    `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the ${action} action`;

  function explainAttributes(
    versionId: string | undefined,
    errorMessage: string,
    allowed: readonly string[],
  ) {
    const record = deniedRecord({
      eventName: 'GetObjectAttributes',
      readOnly: true,
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        attributes: '',
        'x-amz-object-attributes': 'ETag,ObjectSize',
        Host: 'data.s3.eu-west-1.amazonaws.com',
        ...(versionId !== undefined ? { versionId } : {}),
      },
      errorMessage,
    });
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      backupUserContext([
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::data' },
        { Effect: 'Allow', Action: allowed, Resource: 'arn:aws:s3:::data/*' },
      ]),
    );
    assert.equal(report.findings.length, 1);
    return report.findings[0]!;
  }

  for (const [named, other] of [
    ['s3:GetObjectVersion', 's3:GetObjectVersionAttributes'],
    ['s3:GetObjectVersionAttributes', 's3:GetObjectVersion'],
  ] as const) {
    test(`with a version ID, a message naming ${named} adds ${other} to the requests and the fix`, () => {
      const finding = explainAttributes(VERSION, deniedMessage(named), ['s3:GetObject']);
      assert.deepEqual(
        finding.requests.map((r) => [r.action, r.decision]),
        [
          [named, 'ImplicitlyDenied'],
          [other, 'ImplicitlyDenied'],
        ],
      );
      assert.deepEqual(finding.fix?.statements.flatMap((s) => s.Action).sort(), [
        's3:GetObjectVersion',
        's3:GetObjectVersionAttributes',
      ]);
      assert.equal(finding.fix?.verified, true);
    });
  }

  test('without a version ID, a message naming s3:GetObjectAttributes adds s3:GetObject, which the policies allow', () => {
    const finding = explainAttributes(undefined, deniedMessage('s3:GetObjectAttributes'), ['s3:GetObject']);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:GetObjectAttributes', 'ImplicitlyDenied'],
        ['s3:GetObject', 'Allowed'],
      ],
    );
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:GetObjectAttributes'],
    );
  });

  test('without a version ID, a message naming s3:GetObject adds s3:GetObjectAttributes', () => {
    const finding = explainAttributes(undefined, deniedMessage('s3:GetObject'), []);
    assert.deepEqual(finding.fix?.statements.flatMap((s) => s.Action).sort(), [
      's3:GetObject',
      's3:GetObjectAttributes',
    ]);
  });

  test('a message naming a version action when the record shows no version ID adds neither unversioned action', () => {
    const finding = explainAttributes(undefined, deniedMessage('s3:GetObjectVersion'), []);
    assert.deepEqual(
      finding.requests.map((r) => r.action),
      ['s3:GetObjectVersion'],
    );
  });

  test('a message naming s3:ListBucket on the bucket (a missing key) adds none of the object actions', () => {
    const finding = explainAttributes(
      undefined,
      'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action',
      [],
    );
    assert.deepEqual(
      finding.requests.map((r) => r.action),
      ['s3:ListBucket'],
    );
  });
});
