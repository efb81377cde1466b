import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../../../src/domain/explain/report.js';
import { clientLabel, refusedElsewhere, shortArn, summarise } from '../../../src/domain/explain/summary.js';
import { renderSns } from '../../../src/domain/render/sns.js';

const base: Omit<Finding, 'summary'> = {
  eventIds: ['e1'],
  principal: {
    arn: 'arn:aws:iam::111122223333:user/rclone-backup',
    type: 'IAMUser',
    account: '111122223333',
  },
  client: { tool: 'rclone', version: 'v1.66.0' },
  bucket: 'backup-bucket',
  firstSeen: '2026-11-27T10:00:00Z',
  lastSeen: '2026-11-27T10:00:00Z',
  requests: [
    {
      eventId: 'e1',
      eventName: 'CreateBucket',
      action: 's3:CreateBucket',
      resource: 'arn:aws:s3:::backup-bucket',
      decision: 'ImplicitlyDenied',
      source: 'message',
    },
  ],
  cause: 'identity-missing-allow',
  evidence: 'policies',
  deniedBy: [],
  fix: {
    attachTo: 'arn:aws:iam::111122223333:policy/BackupWriter',
    attachKind: 'managed-policy-version',
    policyName: 'BackupWriter',
    statements: [{ Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: ['arn:aws:s3:::backup-bucket'] }],
    verified: true,
    verification: [],
  },
  alternatives: [],
  jobProfile: null,
  caveats: [],
};

test('the summary names who, the tool, what was denied, why, and the fix with its verification', () => {
  assert.equal(
    summarise(base),
    'user/rclone-backup (rclone v1.66.0) was denied s3:CreateBucket on bucket backup-bucket: no identity-based policy allows it. Fix: add s3:CreateBucket to a new version of BackupWriter (verified).',
  );
});

test('a client setting that avoids the grant is offered in the summary', () => {
  const summary = summarise({
    ...base,
    alternatives: [
      {
        kind: 'client-config',
        text: 'Set no_check_bucket = true. More detail here.',
        removes: ['s3:CreateBucket'],
      },
    ],
  });
  assert.match(summary, /Better, without s3:CreateBucket: Set no_check_bucket = true\.$/);
});

test("the alternative's first sentence is not cut at a version's or an option's dot", () => {
  const summary = summarise({
    ...base,
    alternatives: [
      {
        kind: 'upgrade',
        text: 'Upgrade rclone past v1.60 or pass -o s3.region=eu-west-1 first. Then drop the grant.',
        removes: ['s3:CreateBucket'],
      },
    ],
  });
  assert.match(
    summary,
    /Better, without s3:CreateBucket: Upgrade rclone past v1\.60 or pass -o s3\.region=eu-west-1 first\.$/,
  );
});

test('without a fix, the blocking statement is named', () => {
  const summary = summarise({
    ...base,
    cause: 'resource-policy-explicit-deny',
    fix: null,
    deniedBy: [{ policyType: 'resource', policyName: 'backup-bucket bucket policy', sid: 'DenyDelete' }],
  });
  assert.match(summary, /Blocked by backup-bucket bucket policy statement DenyDelete\.$/);
});

test('a fix that names an action in several statements names it once', () => {
  const read = (prefix: string) => ({
    Effect: 'Allow' as const,
    Action: ['s3:GetObject'],
    Resource: [`arn:aws:s3:::backup-bucket/${prefix}/*`],
  });
  const summary = summarise({
    ...base,
    fix: { ...base.fix!, statements: [read('daily'), read('weekly')] },
  });
  assert.match(summary, /Fix: add s3:GetObject to a new version of BackupWriter \(verified\)\.$/);
});

test("a copy refused its source names the source's bucket, and the bucket CloudTrail logged it on", () => {
  const copy: Omit<Finding, 'summary'> = {
    ...base,
    bucket: 'media-published',
    requests: [
      {
        eventId: 'e1',
        eventName: 'CopyObject',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::media-ingest/raw/clip.mp4',
        decision: 'ImplicitlyDenied',
        source: 'operation',
      },
      {
        eventId: 'e1',
        eventName: 'CopyObject',
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::media-published/videos/clip.mp4',
        decision: 'Allowed',
        source: 'operation',
      },
    ],
    fix: {
      attachTo: 'arn:aws:s3:::media-ingest',
      attachKind: 'bucket-policy',
      statements: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::media-ingest/raw/*'] },
      ],
      // The bucket's policy was given: the fix holds its whole new version.
      newDocument: {},
      verified: true,
      verification: [],
    },
  };
  assert.equal(refusedElsewhere(copy), 'media-ingest');
  assert.match(
    summarise(copy),
    /was denied s3:GetObject on bucket media-ingest \(CloudTrail logged the event on media-published\): .* Fix: add s3:GetObject to the bucket policy of media-ingest \(verified\)\.$/,
  );
  assert.equal(refusedElsewhere(base), undefined);
});

test('refusals on the event’s bucket and on what its copies read name both buckets; other mixes list them', () => {
  const request = (eventName: string, action: string, resource: string) => ({
    eventId: 'e1',
    eventName,
    action,
    resource,
    decision: 'ImplicitlyDenied' as const,
    source: 'operation' as const,
  });
  const copies: Omit<Finding, 'summary'> = {
    ...base,
    requests: [
      request('PutObject', 's3:PutObject', 'arn:aws:s3:::backup-bucket/a'),
      request('CopyObject', 's3:GetObject', 'arn:aws:s3:::assets/b'),
    ],
  };
  assert.match(
    summarise(copies),
    /was denied s3:PutObject, s3:GetObject on bucket backup-bucket \(and on assets, which its copies read\): /,
  );
  const mixed: Omit<Finding, 'summary'> = {
    ...base,
    requests: [
      request('PutObject', 's3:PutObject', 'arn:aws:s3:::backup-bucket/a'),
      request('GetObject', 's3:GetObject', 'arn:aws:s3:::assets/b'),
    ],
  };
  assert.match(summarise(mixed), /was denied s3:PutObject, s3:GetObject on buckets backup-bucket, assets: /);
});

test('an alternative that holds only under a condition, or a trade-off, is offered as another way, not a better one', () => {
  for (const [kind, text] of [
    ['client-config', 'If the bucket already exists, set no_check_bucket = true.'],
    ['client-config', 'For a write-only job, pass --s3-no-head.'],
    ['client-config', 'Drop --acl from the command, unless the bucket demands it: more.'],
    ['other', 'To purge current versions only, leave the three out.'],
  ] as const) {
    const summary = summarise({ ...base, alternatives: [{ kind, text, removes: ['s3:CreateBucket'] }] });
    assert.match(summary, / Alternatively, without s3:CreateBucket: /, text);
    assert.doesNotMatch(summary, /Better/, text);
  }
});

test('shortArn is the resource part of an ARN, colons in it included; anything else whole', () => {
  assert.equal(shortArn('arn:aws:iam::111122223333:user/ops/backup'), 'user/ops/backup');
  assert.equal(shortArn('arn:aws:sts::111122223333:assumed-role/etl/run-7'), 'assumed-role/etl/run-7');
  // A crafted ARN cannot show only its tail as the caller.
  assert.equal(
    shortArn('arn:aws:iam::111122223333:user/AAAA(http://evil.example) tail'),
    'user/AAAA(http://evil.example) tail',
  );
  assert.equal(shortArn('unknown'), 'unknown');
  assert.equal(shortArn('arn:aws:iam'), 'arn:aws:iam');
});

test('a copy whose source read an explicit Deny refused, and whose write no policy allows: each is said on its own bucket', () => {
  const summary = summarise({
    ...base,
    bucket: 'media-archive',
    cause: 'resource-policy-explicit-deny',
    fix: null,
    deniedBy: [{ policyType: 'resource', policyName: 'media-ingest bucket policy', sid: 'OwnerOnly' }],
    requests: [
      {
        eventId: 'e1',
        eventName: 'CopyObject',
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::media-archive/out/a.mp4',
        decision: 'ImplicitlyDenied',
        source: 'operation',
      },
      {
        eventId: 'e1',
        eventName: 'CopyObject',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::media-ingest/in/a.mp4',
        decision: 'ExplicitlyDenied',
        source: 'operation',
      },
    ],
  });
  assert.match(
    summary,
    /^user\/rclone-backup \(rclone v1\.66\.0\) was denied s3:GetObject on bucket media-ingest \(CloudTrail logged the event on media-archive\): the bucket policy explicitly denies it; and s3:PutObject, which no policy allows\./,
  );
});

describe('clientLabel', () => {
  test('OpenTofu (tool terraform in the JSON) is named as itself, with its own version', () => {
    assert.equal(
      clientLabel({
        tool: 'terraform',
        version: '1.8.5',
        userAgent: 'APN/1.0 OpenTofu-S3-Backend/1.0 OpenTofu/1.8.5 aws-sdk-go-v2/1.30.3',
      }),
      'opentofu 1.8.5',
    );
    assert.equal(
      clientLabel({
        tool: 'terraform',
        version: '1.9.0',
        userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.0',
      }),
      'terraform 1.9.0',
    );
    assert.equal(clientLabel({ tool: 'rclone' }), 'rclone');
  });
});

test('beside an explicit Deny, the requests that lack an Allow are said with the policy that lacks it', () => {
  const withMissing = (missingAllowIn: Finding['requests'][number]['missingAllowIn']) =>
    summarise({
      ...base,
      cause: 'boundary-explicit-deny',
      fix: null,
      deniedBy: [{ policyType: 'permissions-boundary', policyName: 'AppBoundary', sid: 'NoDeletes' }],
      requests: [
        {
          eventId: 'e1',
          eventName: 'DeleteObject',
          action: 's3:DeleteObject',
          resource: 'arn:aws:s3:::b/a',
          decision: 'ExplicitlyDenied',
          source: 'operation',
        },
        {
          eventId: 'e2',
          eventName: 'PutObject',
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::b/a',
          decision: 'ImplicitlyDenied',
          source: 'operation',
          ...(missingAllowIn !== undefined ? { missingAllowIn } : {}),
        },
      ],
    });
  assert.match(
    withMissing(['permissions-boundary']),
    /; and s3:PutObject, which the permissions boundary does not allow\./,
  );
  assert.match(
    withMissing(['identity', 'permissions-boundary']),
    /; and s3:PutObject, which neither the identity-based policies nor the permissions boundary allow\./,
  );
  assert.match(withMissing(undefined), /; and s3:PutObject, which no policy allows\./);
});

test('beside an explicit Deny, each other request is said with its own reason: a policy that lacks it, or not evaluated', () => {
  const request = (
    action: string,
    decision: Finding['requests'][number]['decision'],
    missingAllowIn?: Finding['requests'][number]['missingAllowIn'],
  ): Finding['requests'][number] => ({
    eventId: 'e',
    eventName: 'X',
    action,
    resource: 'arn:aws:s3:::b/a',
    decision,
    source: 'operation',
    ...(missingAllowIn !== undefined ? { missingAllowIn } : {}),
  });
  const summary = summarise({
    ...base,
    cause: 'resource-policy-explicit-deny',
    fix: null,
    deniedBy: [{ policyType: 'resource', policyName: 'b bucket policy', sid: 'NoDeletes' }],
    requests: [
      request('s3:DeleteObject', 'ExplicitlyDenied'),
      request('s3:GetObject', 'ImplicitlyDenied', ['identity']),
      request('s3:PutObject', 'ImplicitlyDenied', ['permissions-boundary']),
      request('s3:ListBucket', 'Unknown'),
    ],
  });
  assert.match(
    summary,
    /; and s3:GetObject, which no identity-based policy allows, and s3:PutObject, which the permissions boundary does not allow, and s3:ListBucket, which could not be evaluated \(the caller's policies are not visible\)\./,
  );
});

describe('an upload refused at the key, and the clean-up after it refused by S3', () => {
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/k';
  const row = (
    eventId: string,
    eventName: string,
    action: string,
    resource: string,
    decision: Finding['requests'][number]['decision'],
    source: 'message' | 'operation',
  ) => ({
    eventId,
    eventName,
    action,
    resource,
    decision,
    source,
    ...(decision === 'ImplicitlyDenied' ? { missingAllowIn: ['identity' as const] } : {}),
  });
  // boto3's upload_file: both parts refused at the key (kms:Decrypt), then its AbortMultipartUpload.
  const multipart: Omit<Finding, 'summary'> = {
    ...base,
    client: { tool: 'boto3', version: '1.35.60' },
    requests: [
      row('p1', 'UploadPart', 's3:PutObject', 'arn:aws:s3:::backup-bucket/db.tar', 'Allowed', 'operation'),
      row('p1', 'UploadPart', 'kms:Decrypt', KEY, 'ImplicitlyDenied', 'message'),
      row('p2', 'UploadPart', 's3:PutObject', 'arn:aws:s3:::backup-bucket/db.tar', 'Allowed', 'operation'),
      row('p2', 'UploadPart', 'kms:Decrypt', KEY, 'ImplicitlyDenied', 'message'),
      row(
        'a1',
        'AbortMultipartUpload',
        's3:AbortMultipartUpload',
        'arn:aws:s3:::backup-bucket/db.tar',
        'ImplicitlyDenied',
        'message',
      ),
    ],
    fix: {
      attachTo: 'arn:aws:iam::111122223333:user/rclone-backup',
      attachKind: 'inline-policy',
      verified: true,
      verification: [],
      statements: [
        { Effect: 'Allow', Action: ['s3:AbortMultipartUpload'], Resource: ['arn:aws:s3:::backup-bucket/*'] },
        { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [KEY] },
      ],
    },
  };

  test('the summary leads with the upload and the key it needs; the clean-up comes after', () => {
    const summary = summarise(multipart);
    assert.ok(
      summary.startsWith(
        `user/rclone-backup (boto3 1.35.60) was denied s3:PutObject on bucket backup-bucket: S3 needs kms:Decrypt on the KMS key ${KEY} for it, and no identity-based policy allows it. The client's clean-up of the failed upload was refused too: s3:AbortMultipartUpload, which no identity-based policy allows.`,
      ),
      summary,
    );
    assert.ok(!summary.includes('It was also refused kms:Decrypt'), summary);
  });

  test('the SNS subject leads with the upload too', () => {
    assert.equal(
      renderSns({ ...multipart, summary: summarise(multipart) }).subject,
      'AccessDenied: rclone-backup s3:PutObject +1 (needs kms:Decrypt) on backup-bucket',
    );
  });
});
