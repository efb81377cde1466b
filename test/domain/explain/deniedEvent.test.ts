import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { CloudTrailRecord } from '../../../src/domain/cloudtrail/types.js';
import {
  analyseDeniedEvent,
  checksOf,
  type DeniedEvent,
  parseS3ResourceArn,
} from '../../../src/domain/explain/deniedEvent.js';
import { BUCKET, CALLER_ACCOUNT, s3Record } from '../s3/s3EventRecords.js';

describe('parseS3ResourceArn', () => {
  test('splits an object ARN into bucket and key, and reads a bucket ARN', () => {
    assert.deepEqual(parseS3ResourceArn('arn:aws:s3:::backup/daily/a.tar'), {
      bucket: 'backup',
      key: 'daily/a.tar',
    });
    assert.deepEqual(parseS3ResourceArn('arn:aws-us-gov:s3:::backup'), { bucket: 'backup' });
    assert.deepEqual(parseS3ResourceArn('arn:aws:s3:::backup/'), { bucket: 'backup', key: '' });
  });

  test('is undefined for what is not an S3 bucket or object ARN', () => {
    for (const text of [
      '*',
      'arn:aws:s3:::',
      'arn:aws:s3:::/k',
      'arn:aws:iam::1:user/x',
      'arn:aws:s3:::b/a\nb',
    ]) {
      assert.equal(parseS3ResourceArn(text), undefined, JSON.stringify(text));
    }
  });

  test('reads what the pattern ^arn:aws[a-z-]*:s3:::([^/]+)(?:/(.*))?$ reads', () => {
    const reference = (text: string) => {
      const m = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$/.exec(text);
      if (m === null) return undefined;
      return m[2] !== undefined ? { bucket: m[1]!, key: m[2] } : { bucket: m[1]! };
    };
    const piece = fc.constantFrom(
      'arn:aws',
      '-cn',
      '-us-gov',
      'X',
      ':s3:::',
      ':s3::',
      'b',
      '/',
      'k',
      '\n',
      '\u2028',
      '',
      ':',
    );
    const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          text.map((t) => `arn:aws:s3:::${t}`),
          fc.string(),
        ),
        (t) => {
          assert.deepEqual(parseS3ResourceArn(t), reference(t));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

/** The analysed event, which must have requests to evaluate. */
function analysed(record: CloudTrailRecord): DeniedEvent {
  const event = analyseDeniedEvent(record);
  assert.ok(!('unmapped' in event), 'unmapped' in event ? event.unmapped.message : '');
  return event;
}

/** A denied CopyObject of source-bucket/daily/a.tar into the bucket, with the given error message. */
const copyObject = (errorMessage: string) =>
  s3Record({
    eventName: 'CopyObject',
    requestParameters: {
      bucketName: BUCKET,
      key: 'daily/copy.tar',
      'x-amz-copy-source': 'source-bucket/daily/a.tar',
    },
    overrides: { errorMessage },
  });

describe('analyseDeniedEvent: the request an enhanced message names', () => {
  test('a message without "on resource" is evaluated on the resource of the operation\'s request for its action, never on *', () => {
    const caller = `arn:aws:iam::${CALLER_ACCOUNT}:user/backup`;
    /** An event of `eventName` on `key`, refused with a message naming `action` and no resource. */
    const refused = (eventName: string, key: string | undefined, action: string) =>
      analysed(
        s3Record({
          eventName,
          requestParameters: key === undefined ? {} : { bucketName: BUCKET, key },
          overrides: {
            errorMessage: `User: ${caller} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
          },
        }),
      );
    const get = refused('GetObject', 'daily/a.txt', 's3:GetObject');
    assert.deepEqual(
      [get.check.action, get.check.resource, get.check.bucket, get.check.key, get.source],
      ['s3:GetObject', `arn:aws:s3:::${BUCKET}/daily/a.txt`, BUCKET, 'daily/a.txt', 'message'],
    );
    const list = analysed(
      s3Record({
        eventName: 'ListBuckets',
        requestParameters: {},
        overrides: {
          errorMessage: `User: ${caller} is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy`,
        },
      }),
    );
    assert.deepEqual([list.check.action, list.check.resource], ['s3:ListAllMyBuckets', '*']);
    // An action the operation does not request itself: on the request's bucket or object, as the
    // catalogue authorizes it (a read of a missing key refused s3:ListBucket), never on *.
    const listing = refused('HeadObject', 'daily/missing.txt', 's3:ListBucket');
    assert.deepEqual(
      checksOf(listing).map((c) => [c.action, c.resource, c.bucket]),
      [['s3:ListBucket', `arn:aws:s3:::${BUCKET}`, BUCKET]],
    );
    const other = refused('GetObject', 'daily/a.txt', 's3:PutObjectTagging');
    assert.deepEqual(
      checksOf(other).map((c) => [c.action, c.resource]),
      [['s3:PutObjectTagging', `arn:aws:s3:::${BUCKET}/daily/a.txt`]],
    );
  });

  const copyInto = (messageResource: string) =>
    copyObject(
      `User: arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/backup-role/backup-job is not authorized to perform: s3:GetObject on resource: "${messageResource}" because no identity-based policy allows the s3:GetObject action`,
    );

  test('a copy source in another bucket gets no resource account; the destination bucket keeps it', () => {
    const source = analysed(copyInto('arn:aws:s3:::source-bucket/daily/a.tar'));
    const check = source.check;
    // The copy's write is the other request: evaluated as the operation needs it.
    assert.deepEqual(
      checksOf(source).map((c) => [c.action, c.resource, c.role]),
      [
        ['s3:GetObject', 'arn:aws:s3:::source-bucket/daily/a.tar', 'source'],
        ['s3:PutObject', `arn:aws:s3:::${BUCKET}/daily/copy.tar`, 'destination'],
      ],
    );
    assert.equal(source.copyTarget, undefined);
    assert.equal(check?.bucket, 'source-bucket');
    assert.equal(check?.key, 'daily/a.tar');
    assert.equal(check?.context['aws:ResourceAccount'], undefined);
    assert.equal(check?.context['s3:ResourceAccount'], undefined);
    assert.equal('aws:ResourceAccount' in (check?.context ?? {}), false);
    // The record's owner is still the destination bucket's, as the record shows it.
    assert.equal(source.owner?.account, CALLER_ACCOUNT);

    const destination = analysed(copyInto(`arn:aws:s3:::${BUCKET}/daily/a.tar`));
    assert.equal(destination.check.context['aws:ResourceAccount'], CALLER_ACCOUNT);
    assert.equal(destination.check.context['s3:ResourceAccount'], CALLER_ACCOUNT);
  });

  test("a message resource that is no bucket, object or access point gives way to the request's own, with a note", () => {
    const caller = `arn:aws:iam::${CALLER_ACCOUNT}:user/backup`;
    const get = (resource: string, action = 's3:GetObject', key = 'daily/a.txt') =>
      analysed(
        s3Record({
          eventName: 'GetObject',
          requestParameters: { bucketName: BUCKET, key },
          overrides: {
            errorMessage: `User: ${caller} is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`,
          },
        }),
      );
    for (const resource of ['*', 'arn:aws:s3:::/k', 'arn:aws:s3:::']) {
      const event = get(resource);
      assert.deepEqual(
        [event.check.action, event.check.resource, event.check.key],
        ['s3:GetObject', `arn:aws:s3:::${BUCKET}/daily/a.txt`, 'daily/a.txt'],
        resource,
      );
      assert.ok(
        event.notes.some((n) =>
          n.startsWith(`AWS's message names s3:GetObject on ${JSON.stringify(resource)}, which is no bucket`),
        ),
        event.notes.join('\n'),
      );
    }
    // An action the operation does not request, on no bucket, or on * for a bucket action: the
    // request's bucket.
    for (const resource of ['arn:aws:s3:::', '*']) {
      const listing = get(resource, 's3:ListBucket');
      assert.deepEqual(
        checksOf(listing).map((c) => [c.action, c.resource]),
        [['s3:ListBucket', `arn:aws:s3:::${BUCKET}`]],
        resource,
      );
    }
    // S3 Control's resources (a Batch Operations job) are evaluated as the message names them.
    const job = 'arn:aws:s3:eu-west-1:111122223333:job/0f7c2a1e-1111-2222-3333-444455556666';
    const control = analysed(
      s3Record({
        eventName: 'UpdateJobPriority',
        requestParameters: { id: '0f7c2a1e-1111-2222-3333-444455556666', priority: 10 },
        overrides: {
          errorMessage: `User: ${caller} is not authorized to perform: s3:UpdateJobPriority on resource: "${job}" because no identity-based policy allows the s3:UpdateJobPriority action`,
        },
      }),
    );
    assert.deepEqual(
      [control.check.action, control.check.resource, control.notes],
      ['s3:UpdateJobPriority', job, []],
    );
    // A key with a line break, named by the message: the key is kept, the bucket too.
    const broken = get(`arn:aws:s3:::${BUCKET}/daily/a\nb.txt`, 's3:GetObject', 'daily/a\nb.txt');
    assert.deepEqual([broken.check.bucket, broken.check.key], [BUCKET, 'daily/a\nb.txt']);
  });

  test('a message naming a copy read on no usable resource is evaluated on the source; the note says so', () => {
    const copy = analysed(
      s3Record({
        eventName: 'CopyObject',
        requestParameters: {
          bucketName: BUCKET,
          key: 'daily/copy.tar',
          'x-amz-copy-source': 'source-bucket/daily/a.tar',
        },
        overrides: {
          errorMessage: `User: arn:aws:iam::${CALLER_ACCOUNT}:user/backup is not authorized to perform: s3:GetObjectTagging on resource: "*" because no identity-based policy allows the s3:GetObjectTagging action`,
        },
      }),
    );
    assert.deepEqual(
      [copy.check.action, copy.check.resource],
      ['s3:GetObjectTagging', 'arn:aws:s3:::source-bucket/daily/a.tar'],
    );
    assert.ok(
      copy.notes.some(
        (n) =>
          n.startsWith(
            'The error message names s3:GetObjectTagging, not what CopyObject normally needs (s3:PutObject, s3:GetObject',
          ) &&
          n.includes(
            'on no resource it could be evaluated on: it was evaluated on arn:aws:s3:::source-bucket/daily/a.tar',
          ),
      ),
      copy.notes.join('\n'),
    );
  });

  test('a copy onto itself (restoring a version): the action says which side the message names', () => {
    const selfCopy = (action: string) =>
      analysed(
        s3Record({
          eventName: 'CopyObject',
          requestParameters: {
            bucketName: BUCKET,
            key: 'daily/a.tar',
            'x-amz-copy-source': `${BUCKET}/daily/a.tar?versionId=v9`,
          },
          overrides: {
            errorMessage: `User: arn:aws:iam::${CALLER_ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::${BUCKET}/daily/a.tar" because no identity-based policy allows the ${action} action`,
          },
        }),
      );
    const write = selfCopy('s3:PutObject');
    assert.deepEqual(
      checksOf(write).map((c) => [c.action, c.role]),
      [
        ['s3:PutObject', undefined],
        ['s3:GetObjectVersion', 'source'],
      ],
    );
    const read = selfCopy('s3:GetObjectVersion');
    assert.deepEqual(
      checksOf(read).map((c) => [c.action, c.role]),
      [
        ['s3:GetObjectVersion', 'source'],
        ['s3:PutObject', 'destination'],
      ],
    );
  });

  test("a copy's source read named by the message has the source's version, as the operation gives it", () => {
    const versioned = s3Record({
      eventName: 'CopyObject',
      requestParameters: {
        bucketName: BUCKET,
        key: 'daily/copy.tar',
        'x-amz-copy-source': `${BUCKET}/daily/a.tar?versionId=v9`,
      },
      overrides: {
        errorMessage: `User: arn:aws:iam::${CALLER_ACCOUNT}:user/backup is not authorized to perform: s3:GetObjectVersion on resource: "arn:aws:s3:::${BUCKET}/daily/a.tar" because no identity-based policy allows the s3:GetObjectVersion action`,
      },
    });
    const event = analysed(versioned);
    assert.equal(event.check.action, 's3:GetObjectVersion');
    assert.equal(event.check.context['s3:versionid'], 'v9');
  });

  test("a key with a line break keeps it: the message's wrapped lines are joined, the record's key is not", () => {
    const key = 'report\nfinal.csv';
    const arn = `arn:aws:s3:::${BUCKET}/${key}`;
    const event = analysed(
      s3Record({
        eventName: 'GetObject',
        requestParameters: { bucketName: BUCKET, key },
        overrides: {
          errorMessage: `User: arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/backup-role/backup-job is not authorized to perform: s3:GetObject on resource: "${arn}" because no identity-based policy allows the s3:GetObject action`,
        },
      }),
    );
    assert.equal(event.check.resource, arn);
    assert.equal(event.check.action, 's3:GetObject');
    // A key whose own text has the space stays as the message says.
    const spaced = analysed(
      s3Record({
        eventName: 'GetObject',
        requestParameters: { bucketName: BUCKET, key: 'report final.csv' },
        overrides: {
          errorMessage: `User: arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/backup-role/backup-job is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/report final.csv" because no identity-based policy allows the s3:GetObject action`,
        },
      }),
    );
    assert.equal(spaced.check.resource, `arn:aws:s3:::${BUCKET}/report final.csv`);
  });

  test('a bucket-level resource has no key, and the event takes the bucket the message names', () => {
    const event = analysed(copyInto(`arn:aws:s3:::${BUCKET}`));
    assert.equal(event.check.bucket, BUCKET);
    assert.equal(event.check.key, undefined);
    assert.equal(event.bucket, BUCKET);
    assert.equal(event.source, 'message');
  });
});

describe("analyseDeniedEvent: the operation's notes an enhanced message does not answer", () => {
  const caller = `arn:aws:iam::${CALLER_ACCOUNT}:user/etl`;
  const refusal = (action: string, resource: string) =>
    `User: ${caller} is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`;
  /** `eventName` on daily/a.tar with `parameters`, refused with `errorMessage`. */
  const refused = (eventName: string, parameters: Record<string, unknown>, errorMessage: string) =>
    analysed(
      s3Record({
        eventName,
        requestParameters: { bucketName: BUCKET, key: 'daily/a.tar', ...parameters },
        overrides: { errorMessage },
      }),
    );
  const object = `arn:aws:s3:::${BUCKET}/daily/a.tar`;

  test("an SSE-KMS upload's KMS notes stay (a key named by alias, or none), as with a legacy message", () => {
    const cases: [Record<string, unknown>, RegExp[]][] = [
      [
        {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': 'alias/etl-key',
        },
        [/^The request names the KMS alias alias\/etl-key; KMS authorizes on the key it points to/],
      ],
      [
        {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:eu-west-1:${CALLER_ACCOUNT}:alias/etl-key`,
        },
        [/^The request names the KMS alias arn:aws:kms:eu-west-1:\d+:alias\/etl-key/],
      ],
      [{ 'x-amz-server-side-encryption': 'aws:kms' }, [/^The request asks for SSE-KMS without naming a key/]],
    ];
    for (const eventName of ['PutObject', 'CreateMultipartUpload']) {
      for (const [headers, expected] of cases) {
        const enhanced = refused(eventName, headers, refusal('s3:PutObject', object));
        const legacy = refused(eventName, headers, 'Access Denied');
        assert.equal(enhanced.source, 'message');
        for (const pattern of expected)
          assert.ok(
            enhanced.notes.some((n) => pattern.test(n)),
            `${eventName} ${JSON.stringify(headers)}: ${enhanced.notes.join('\n')}`,
          );
        assert.deepEqual(enhanced.notes, legacy.notes, `${eventName} ${JSON.stringify(headers)}`);
      }
    }
    // A PutObject that names no key keeps the note on the bucket's default key, with SSE-KMS or none.
    for (const headers of [{ 'x-amz-server-side-encryption': 'aws:kms' }, {}])
      assert.ok(
        refused('PutObject', headers, refusal('s3:PutObject', object)).notes.some((n) =>
          n.startsWith('If the bucket has default SSE-KMS encryption'),
        ),
        JSON.stringify(headers),
      );
  });

  test("a copy keeps the note on its source's key, whichever side the message names", () => {
    const copy = { key: 'daily/copy.tar', 'x-amz-copy-source': 'source-bucket/daily/a.tar' };
    for (const [action, resource] of [
      ['s3:PutObject', `arn:aws:s3:::${BUCKET}/daily/copy.tar`],
      ['s3:GetObject', 'arn:aws:s3:::source-bucket/daily/a.tar'],
    ] as const) {
      const event = refused('CopyObject', copy, refusal(action, resource));
      assert.ok(
        event.notes.includes(
          'If the source object is SSE-KMS encrypted, S3 also needs kms:Decrypt on the source key, which is not in the request.',
        ),
        `${action}: ${event.notes.join('\n')}`,
      );
    }
  });

  test("a missing key's 403 note is answered by a message naming s3:ListBucket, not by one naming s3:GetObject", () => {
    const missingKey = /^For a key that does not exist S3 answers 404 only if the caller has s3:ListBucket/;
    const get = refused('GetObject', {}, refusal('s3:GetObject', object));
    assert.ok(
      get.notes.some((n) => missingKey.test(n)),
      get.notes.join('\n'),
    );
    const listing = refused('HeadObject', {}, refusal('s3:ListBucket', `arn:aws:s3:::${BUCKET}`));
    assert.equal(listing.check.action, 's3:ListBucket');
    assert.ok(!listing.notes.some((n) => missingKey.test(n)), listing.notes.join('\n'));
    // HEAD's own note is not the message's to answer.
    assert.ok(listing.notes.includes('There is no s3:HeadObject action: HEAD is authorized as a read.'));
  });

  test('through an access point the message names, its note is given once', () => {
    const ap = `arn:aws:s3:eu-west-1:${CALLER_ACCOUNT}:accesspoint/etl-ingest`;
    const event = analysed(
      s3Record({
        eventName: 'PutObject',
        requestParameters: { bucketName: BUCKET, key: 'daily/a.tar' },
        resources: [
          { type: 'AWS::S3::Object', ARN: object },
          { accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` },
          { accountId: CALLER_ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: ap },
        ],
        overrides: { errorMessage: refusal('s3:PutObject', `${ap}/object/daily/a.tar`) },
      }),
    );
    assert.equal(event.check.accessPoint, ap);
    assert.equal(event.notes.filter((n) => n.startsWith('The request went through access point')).length, 1);
  });
});

describe('analyseDeniedEvent: the operation mapping, when the message names no request', () => {
  test("an operation that needs several requests keeps them in the catalogue's order, the first apart", () => {
    const event = analysed(copyObject('Access Denied'));
    assert.equal(event.source, 'operation');
    assert.deepEqual(
      checksOf(event).map((c) => [c.action, c.resource]),
      [
        ['s3:PutObject', `arn:aws:s3:::${BUCKET}/daily/copy.tar`],
        ['s3:GetObject', 'arn:aws:s3:::source-bucket/daily/a.tar'],
      ],
    );
    assert.equal(event.check, checksOf(event)[0]);
    // The event is on the destination bucket, not the copy source.
    assert.equal(event.bucket, BUCKET);
  });

  test('an operation the catalogue does not know is unmapped, with the reason', () => {
    const event = analyseDeniedEvent(
      s3Record({
        eventName: 'MadeUpOperation',
        requestParameters: { bucketName: BUCKET },
        overrides: { errorMessage: 'Access Denied' },
      }),
    );
    assert.ok('unmapped' in event);
    assert.match(event.unmapped.message, /MadeUpOperation/);
  });
});

describe('a Deny "in a VPC endpoint policy transitively through a service control policy"', () => {
  test("is read as the service control policy's, which the IAM guide says to look in", () => {
    const event = analysed(
      s3Record({
        eventName: 'GetObject',
        requestParameters: { bucketName: BUCKET, key: 'a.csv' },
        overrides: {
          errorMessage: `User: arn:aws:iam::${CALLER_ACCOUNT}:user/etl is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/a.csv" with an explicit deny in a VPC endpoint policy transitively through a service control policy`,
        },
      }),
    );
    assert.equal(event.message.form === 'enhanced' ? event.message.policyType : undefined, 'scp');
  });
});
