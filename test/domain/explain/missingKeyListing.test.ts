/**
 * A read refused with the legacy "Access Denied" that the visible policies allow, by a caller they do not
 * let list the bucket: S3 answers a read of a key that does not exist with 403 instead of 404 to a caller
 * without s3:ListBucket, so the missing listing is taken to be the cause, said as inferred, and granted;
 * what else can deny the read if the key exists is still said.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedRecord, succeededListing } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const read = (eventName: string, key = 'in/missing.csv') =>
  deniedRecord({
    eventName,
    errorMessage: 'Access Denied',
    readOnly: true,
    requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
      { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
    ],
  });
const readsOnly = [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/in/*' }];
const readsAndLists = [
  ...readsOnly,
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
];
const findingOf = (records: unknown[], statements: readonly unknown[]) =>
  explainTexts(text(...records), backupUserContext(statements)).findings[0];

describe('a read the visible policies allow, refused with the legacy message, without s3:ListBucket', () => {
  for (const eventName of ['GetObject', 'HeadObject']) {
    test(`${eventName}: the listing is the inferred cause, granted alone and verified`, () => {
      const finding = findingOf([read(eventName)], readsOnly);
      assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
      assert.equal(finding?.evidence, 'policies');
      // The read is shown allowed, the listing it lacks refused.
      assert.deepEqual(
        finding?.requests.map((r) => [r.eventName, r.action, r.resource, r.decision]),
        [
          [eventName, 's3:GetObject', 'arn:aws:s3:::data/in/missing.csv', 'Allowed'],
          [eventName, 's3:ListBucket', 'arn:aws:s3:::data', 'ImplicitlyDenied'],
        ],
      );
      assert.deepEqual(
        finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:ListBucket'], ['arn:aws:s3:::data']]],
      );
      assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
      assert.match(
        finding?.summary ?? '',
        /^user\/backup \(aws-cli 2\.15\.0\) was denied s3:GetObject on bucket data, likely for want of s3:ListBucket \(no identity-based policy allows it\): to a caller without it, S3 answers a read of a key that does not exist with 403 rather than 404, and the visible policies allow the read itself\. Fix: add s3:ListBucket /,
      );
      // Said as inferred (the message names no action), with what still denies the read if the key exists.
      const inferred = finding?.caveats.find((c) =>
        c.startsWith(`AWS's message ("Access Denied") names no action`),
      );
      assert.ok(inferred, finding?.caveats.join(' | '));
      assert.ok(inferred.includes(`https://docs.aws.amazon.com/AmazonS3/latest/API/API_${eventName}.html`));
      assert.match(
        inferred,
        /If the key exists, the listing is not the cause, and granting it does not help: what can still deny the read is \(1\) the bucket policy of data \(none was given: --bucket-policy data=FILE\); .*\(\d\) a KMS key policy for encrypted objects\.$/,
      );
      assert.ok(!finding?.caveats.some((c) => c.startsWith('For a key that does not exist S3 answers 404')));
      assert.ok(!finding?.caveats.some((c) => c.startsWith('The visible policies allow the request.')));
    });
  }

  test('several reads: one fix, each read its listing row', () => {
    const finding = findingOf([read('GetObject'), read('HeadObject', 'in/other.csv')], readsOnly);
    assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
    assert.equal(finding?.requests.filter((r) => r.action === 's3:ListBucket').length, 2);
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:ListBucket'], ['arn:aws:s3:::data']]],
    );
    assert.ok(finding?.caveats.some((c) => c.includes('If the keys exist, the listing is not the cause')));
  });

  test('with s3:ListBucket granted, the read is left to what is not visible, as before', () => {
    const finding = findingOf([read('GetObject')], readsAndLists);
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding?.fix, null);
    assert.deepEqual(
      finding?.requests.map((r) => r.action),
      ['s3:GetObject'],
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('The visible policies allow the request. What can still deny it'),
      ),
    );
  });

  test('beside another refusal the visible policies allow, no listing is inferred: that one is unexplained', () => {
    const put = deniedRecord({ errorMessage: 'Access Denied' });
    const finding = findingOf(
      [read('GetObject'), put],
      [...readsOnly, { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/in/*' }],
    );
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding?.fix, null);
    assert.ok(finding?.caveats.some((c) => c.startsWith('For a key that does not exist S3 answers 404')));
  });

  describe('not when the input disproves it: the read is left to what is not visible', () => {
    const at = (record: Record<string, unknown>, eventTime: string) => ({ ...record, eventTime });
    const found = (eventName: string, eventTime: string) =>
      at({ ...read(eventName), errorCode: undefined, errorMessage: undefined }, eventTime);
    const unexplained = (records: unknown[], statements: readonly unknown[] = readsOnly) => {
      const finding = findingOf(records, statements);
      assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.caveats.join(' | '));
      assert.equal(finding?.fix, null);
      assert.deepEqual(
        finding?.requests.map((r) => r.action),
        ['s3:GetObject'],
      );
      assert.ok(
        !finding?.caveats.some((c) => c.startsWith(`AWS's message ("Access Denied") names no action`)),
      );
      return finding?.caveats ?? [];
    };

    test('a listing of the bucket by the caller succeeded, which the visible policies do not allow: it holds s3:ListBucket', () => {
      const caveats = unexplained([
        at(succeededListing('', { userAgent: 'aws-cli/2.15.0' }), '2026-11-27T09:59:53Z'),
        read('GetObject'),
      ]);
      assert.ok(
        caveats.some((c) =>
          c.includes(
            "this caller's listing of data succeeded in this input, which the visible policies do not allow",
          ),
        ),
        caveats.join(' | '),
      );
    });

    for (const eventName of ['HeadObject', 'GetObject'])
      test(`a ${eventName} of the same key found it 2 s before: the key existed`, () => {
        const caveats = unexplained([found(eventName, '2026-11-27T09:59:58Z'), read('GetObject')]);
        assert.ok(
          caveats.some((c) =>
            c.endsWith(
              `a ${eventName} of data/in/missing.csv by this caller found the object 2 s before, with no delete of it since, so the key existed.`,
            ),
          ),
          caveats.join(' | '),
        );
      });

    test('but a read that found the key only after the refusal (a reader polling for a file) leaves the inference standing', () => {
      const finding = findingOf([read('GetObject'), found('GetObject', '2026-11-27T10:00:30Z')], readsOnly);
      assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
      assert.deepEqual(
        finding?.fix?.statements.map((s) => s.Action),
        [['s3:ListBucket']],
      );
    });

    test('a read that found the key before the refusal counts though another found it after', () => {
      const caveats = unexplained([
        found('HeadObject', '2026-11-27T09:59:00Z'),
        read('GetObject'),
        found('HeadObject', '2026-11-27T10:19:00Z'),
      ]);
      assert.ok(
        caveats.some((c) =>
          c.endsWith(
            'a HeadObject of data/in/missing.csv by this caller found the object 60 s before, with no delete of it since, so the key existed.',
          ),
        ),
        caveats.join(' | '),
      );
    });

    // The caller's own successful write of the key: the object was there after it (until a delete).
    const wrote = (eventName: string, eventTime: string, parameters: Record<string, unknown> = {}) =>
      at(
        {
          ...found(eventName, eventTime),
          readOnly: false,
          requestParameters: {
            bucketName: 'data',
            key: 'in/missing.csv',
            Host: 'data.s3.eu-west-1.amazonaws.com',
            ...parameters,
          },
        },
        eventTime,
      );
    for (const [eventName, parameters, says] of [
      ['PutObject', {}, 'a PutObject by this caller wrote the object data/in/missing.csv'],
      [
        'CopyObject',
        { 'x-amz-copy-source': 'staging/in/missing.csv' },
        "a CopyObject by this caller wrote the object data/in/missing.csv (the copy's destination)",
      ],
      [
        'CompleteMultipartUpload',
        { uploadId: 'VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA' },
        'a CompleteMultipartUpload by this caller wrote the object data/in/missing.csv',
      ],
      [
        'RestoreObject',
        { restore: '' },
        'a RestoreObject of data/in/missing.csv by this caller found the object (archived)',
      ],
    ] as const)
      test(`a successful ${eventName} of the key by the caller 6 min before: the key existed`, () => {
        const caveats = unexplained([
          wrote(eventName, '2026-11-27T09:54:00Z', parameters),
          read('GetObject'),
        ]);
        assert.ok(
          caveats.some((c) =>
            c.endsWith(`${says} 360 s before, with no delete of it since, so the key existed.`),
          ),
          caveats.join(' | '),
        );
      });

    test('but not an upload in the same second as the refusal, logged after it: it may be the write that created the key (check, then write)', () => {
      const finding = findingOf([read('HeadObject'), wrote('PutObject', '2026-11-27T10:00:00Z')], readsOnly);
      assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
      assert.deepEqual(
        finding?.fix?.statements.map((s) => s.Action),
        [['s3:ListBucket']],
      );
      assert.ok(
        !finding?.caveats.some((c) => c.includes('so the key existed')),
        finding?.caveats.join(' | '),
      );
    });

    test("but not a copy's source: the key copied from is the source's, not the refused one", () => {
      const finding = findingOf(
        [
          wrote('CopyObject', '2026-11-27T09:54:00Z', {
            key: 'out/copy.csv',
            'x-amz-copy-source': 'data/in/missing.csv',
          }),
          read('GetObject'),
        ],
        readsOnly,
      );
      assert.ok(
        !finding?.caveats.some((c) => c.includes('so the key existed')),
        finding?.caveats.join(' | '),
      );
    });

    describe('unless a delete of the key came between the read that found it and the refusal: the key was missing', () => {
      const deleted = (parameters: Record<string, unknown>, eventTime: string, eventName = 'DeleteObject') =>
        at(
          {
            ...read(eventName),
            errorCode: undefined,
            errorMessage: undefined,
            readOnly: false,
            requestParameters: { bucketName: 'data', Host: 'data.s3.eu-west-1.amazonaws.com', ...parameters },
          },
          eventTime,
        );
      const inferred = (records: unknown[]) => {
        const finding = findingOf(records, readsOnly);
        assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
        assert.deepEqual(
          finding?.fix?.statements.map((s) => s.Action),
          [['s3:ListBucket']],
        );
        assert.ok(
          !finding?.caveats.some((c) => c.includes('so the key existed')),
          finding?.caveats.join(' | '),
        );
      };

      test('a DeleteObject of the key', () =>
        inferred([
          found('HeadObject', '2026-11-27T09:50:00Z'),
          deleted({ key: 'in/missing.csv' }, '2026-11-27T09:55:00Z'),
          read('GetObject'),
        ]));

      test('a DeleteObject of the key after the caller uploaded it', () =>
        inferred([
          wrote('PutObject', '2026-11-27T09:50:00Z'),
          deleted({ key: 'in/missing.csv' }, '2026-11-27T09:55:00Z'),
          read('GetObject'),
        ]));

      test('but not when the caller uploaded the key again after the delete', () => {
        const caveats = unexplained([
          found('HeadObject', '2026-11-27T09:00:00Z'),
          deleted({ key: 'in/missing.csv' }, '2026-11-27T09:10:00Z'),
          wrote('PutObject', '2026-11-27T09:54:00Z'),
          read('GetObject'),
        ]);
        assert.ok(
          caveats.some((c) =>
            c.endsWith(
              'a PutObject by this caller wrote the object data/in/missing.csv 360 s before, with no delete of it since, so the key existed.',
            ),
          ),
          caveats.join(' | '),
        );
      });

      test('a DeleteObjects whose logged keys include it', () =>
        inferred([
          found('HeadObject', '2026-11-27T09:50:00Z'),
          deleted(
            {
              delete: '',
              Delete: { Object: [{ Key: 'in/other.csv' }, { Key: 'in/missing.csv' }], Quiet: 'true' },
            },
            '2026-11-27T09:55:00Z',
            'DeleteObjects',
          ),
          read('GetObject'),
        ]));

      test('but not a delete before the read, nor one of a version, nor one of another key', () => {
        for (const [parameters, time] of [
          [{ key: 'in/missing.csv' }, '2026-11-27T09:45:00Z'],
          [{ key: 'in/missing.csv', versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH' }, '2026-11-27T09:55:00Z'],
          [{ key: 'in/other.csv' }, '2026-11-27T09:55:00Z'],
        ] as const)
          unexplained([
            found('HeadObject', '2026-11-27T09:50:00Z'),
            deleted(parameters, time),
            read('GetObject'),
          ]);
      });

      test('nor a delete after the refusal', () => {
        unexplained([
          found('HeadObject', '2026-11-27T09:50:00Z'),
          read('GetObject'),
          deleted({ key: 'in/missing.csv' }, '2026-11-27T10:05:00Z'),
        ]);
      });
    });

    describe("a listing is asked in its own network context, not the read's", () => {
      const throughEndpoint = at(
        { ...succeededListing('in/', { userAgent: 'aws-cli/2.15.0' }), vpcEndpointId: 'vpce-0abc1234' },
        '2026-11-27T09:59:53Z',
      );
      const listFromEndpoint = (vpce: string) => [
        ...readsOnly,
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::data',
          Condition: { StringEquals: { 'aws:SourceVpce': vpce } },
        },
      ];

      test('one the visible policies allow only through the VPC endpoint it came through leaves the inference standing for a read from outside', () => {
        const finding = findingOf([throughEndpoint, read('GetObject')], listFromEndpoint('vpce-0abc1234'));
        assert.equal(finding?.cause, 'identity-missing-allow', finding?.caveats.join(' | '));
        assert.ok(
          finding?.caveats.some((c) => c.startsWith(`AWS's message ("Access Denied") names no action`)),
          finding?.caveats.join(' | '),
        );
        assert.ok(
          !finding?.caveats.some((c) => c.includes('which the visible policies do not allow')),
          finding?.caveats.join(' | '),
        );
      });

      test('one through an endpoint they do not allow it from is still the disproof', () => {
        const caveats = unexplained([throughEndpoint, read('GetObject')], listFromEndpoint('vpce-0fff9999'));
        assert.ok(
          caveats.some((c) =>
            c.includes(
              "this caller's listing of data (prefix in/) succeeded in this input, which the visible policies do not allow",
            ),
          ),
          caveats.join(' | '),
        );
      });
    });

    test('and so does a listing the visible policies allow under an s3:prefix condition', () => {
      const finding = findingOf(
        [
          at(succeededListing('in/', { userAgent: 'aws-cli/2.15.0' }), '2026-11-27T09:59:53Z'),
          read('GetObject'),
        ],
        [
          ...readsOnly,
          {
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::data',
            Condition: { StringLike: { 's3:prefix': ['in/*'] } },
          },
        ],
      );
      assert.ok(
        finding?.caveats.some((c) => c.startsWith(`AWS's message ("Access Denied") names no action`)),
        finding?.caveats.join(' | '),
      );
    });
  });

  test('with s3:ListBucket allowed only under an s3:prefix condition, no fix: the caveats do not speak of one, nor tell a read to list within the prefixes', () => {
    const finding = findingOf(
      [read('HeadObject')],
      [
        ...readsOnly,
        {
          Sid: 'ListIn',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::data',
          Condition: { StringLike: { 's3:prefix': ['in/*'] } },
        },
      ],
    );
    assert.equal(finding?.fix, null);
    const inferred = finding?.caveats.find((c) =>
      c.startsWith(`AWS's message ("Access Denied") names no action`),
    );
    assert.ok(inferred, finding?.caveats.join(' | '));
    assert.ok(!inferred.includes('the fix'), inferred);
    assert.match(
      inferred,
      /So the listing is taken to be what refused it; with it, a missing key is answered 404\. If the key exists, the listing is not the cause, and granting it does not help/,
    );
    const nearMiss = finding?.caveats.find((c) => c.startsWith('s3:ListBucket: ') && c.includes('ListIn'));
    assert.ok(nearMiss, finding?.caveats.join(' | '));
    assert.ok(!nearMiss.includes('list only within the prefixes'), nearMiss);
    assert.ok(
      nearMiss.includes(
        'no setting of the client meets this for a HeadObject: S3 checks s3:ListBucket itself for a read of a key that may not exist, with no s3:prefix',
      ),
      nearMiss,
    );
  });
});
