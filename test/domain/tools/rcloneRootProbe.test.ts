import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { commonDirectory } from '../../../src/domain/explain/minimalStatements.js';
import {
  jobPaths,
  mayBeRootProbe,
  rootDirectories,
  rootProbeEffect,
  rootProbes,
} from '../../../src/domain/tools/rcloneRootProbe.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedRecord,
  explainContext,
  snapshotWithUser,
  succeededListing,
} from '../explain/explainFixtures.js';

describe('mayBeRootProbe', () => {
  test('a HEAD authorized as s3:GetObject of a key without a trailing slash', () => {
    assert.equal(mayBeRootProbe('HeadObject', 's3:GetObject', 'mirror'), true);
    assert.equal(mayBeRootProbe('HeadObject', 's3:GetObject', 'a/b'), true);
  });

  test('not a HEAD the message attributes to another action, a key ending in /, an empty key, another call', () => {
    assert.equal(mayBeRootProbe('HeadObject', 's3:ListBucket', 'mirror'), false);
    assert.equal(mayBeRootProbe('HeadObject', 's3:GetObject', 'mirror/'), false);
    assert.equal(mayBeRootProbe('HeadObject', 's3:GetObject', ''), false);
    assert.equal(mayBeRootProbe('HeadObject', 's3:GetObject', undefined), false);
    assert.equal(mayBeRootProbe('GetObject', 's3:GetObject', 'mirror'), false);
  });
});

describe('rootProbeEffect', () => {
  test('by rclone version: ignored before v1.72, fatal from v1.72, fatal unless the directory lists objects from v1.74.4 and v1.75', () => {
    assert.deepEqual(
      [
        'v1.60.1-DEV',
        'v1.71.2',
        'v1.72.0',
        'v1.72.0-beta.9000.abc',
        'v1.74.3',
        'v1.74.4',
        'v1.75.0',
        'v1.76.1',
        '',
        undefined,
      ].map(rootProbeEffect),
      [
        'ignored',
        'ignored',
        'fatal',
        'fatal',
        'fatal',
        'fatal-unless-listed',
        'fatal-unless-listed',
        'fatal-unless-listed',
        'unknown',
        'unknown',
      ],
    );
  });
});

describe('rootProbes', () => {
  test('a candidate is a root check when a key or listing prefix lies inside it', () => {
    assert.deepEqual([...rootProbes(new Set(['mirror']), ['mirror/'])], ['mirror']);
    assert.deepEqual([...rootProbes(new Set(['a/b']), ['a/b/old/x.txt'])], ['a/b']);
    assert.deepEqual([...rootProbes(new Set(['logs']), [], new Set(['logs/2026/']))], ['logs']);
  });

  test('a lone candidate, or one next to a sibling directory, is not', () => {
    assert.deepEqual([...rootProbes(new Set(['mirror']), ['mirror'])], []);
    assert.deepEqual(
      [...rootProbes(new Set(['daily']), ['daily-old/x.txt', 'dailyx/', 'other/daily/y'])],
      [],
    );
  });

  test('among many candidates (HEADs after upload), only the one the others lie in', () => {
    const candidates = new Set(['mirror', 'mirror/a.txt', 'mirror/sub/b.txt']);
    assert.deepEqual(
      [...rootProbes(candidates, ['mirror', 'mirror/a.txt', 'mirror/sub/b.txt', 'mirror/'])],
      ['mirror'],
    );
  });
});

describe('jobPaths', () => {
  test("a root check counts as the directory it names, so the job's directory is not widened to the bucket", () => {
    const paths = ['mirror', 'mirror/stale-1.txt', 'mirror/old/stale-2.txt'];
    assert.equal(commonDirectory(jobPaths(paths, rootProbes(new Set(['mirror']), paths))), 'mirror/');
    // Without the probe test, `mirror` and `mirror/...` share no directory: the whole bucket.
    assert.equal(commonDirectory(jobPaths(paths, new Set())), '');
  });

  test('listing prefixes count, a root listing included', () => {
    assert.equal(commonDirectory(jobPaths(['logs/2026/', 'logs/2026/11/a'], new Set())), 'logs/2026/');
    assert.equal(commonDirectory(jobPaths(['', 'logs/a'], new Set())), '');
  });
});

describe('rootDirectories', () => {
  test('two roots apart: each directory, in the order rclone checked them', () => {
    const roots = new Set(['src', 'dst']);
    const paths = jobPaths(['src', 'src/', 'dst', 'dst/', 'dst/a.txt'], roots);
    assert.deepEqual(rootDirectories(paths, roots), ['src/', 'dst/']);
    // Their common directory is the whole bucket.
    assert.equal(commonDirectory(paths), '');
  });

  test('a root inside another counts once, as the outer one: a single directory, so none', () => {
    const roots = new Set(['logs', 'logs/2026']);
    assert.equal(rootDirectories(jobPaths(['logs', 'logs/2026', 'logs/2026/a'], roots), roots), undefined);
  });

  test('a path outside every root (or a listing of the bucket root) leaves the common directory', () => {
    const roots = new Set(['src', 'dst']);
    assert.equal(rootDirectories(['src/', 'dst/', 'other/x.txt'], roots), undefined);
    assert.equal(rootDirectories(['src/', 'dst/', ''], roots), undefined);
  });

  test('names that share a beginning are still apart (site/ and site-backup/)', () => {
    const roots = new Set(['site', 'site-backup']);
    assert.deepEqual(rootDirectories(['site/', 'site-backup/'], roots), ['site/', 'site-backup/']);
  });

  test('one root: none', () => {
    assert.equal(rootDirectories(['src/', 'src/a'], new Set(['src'])), undefined);
  });
});

describe('explain and rclone root checks', () => {
  const rclone = '[rclone/v1.60.1-DEV]';
  const denied = (eventName: string, key: string, action: string, userAgent = rclone) =>
    deniedRecord({
      eventName,
      userAgent,
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
      readOnly: action === 'read',
    });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/mirror/*' },
    ],
  };
  const context = explainContext({ snapshot: snapshotWithUser('backup', policy) });

  test('a sync denied its deletes: the fix grants s3:DeleteObject on mirror/* only, and says why the HEAD of mirror is not granted', () => {
    const records = [
      denied('HeadObject', 'mirror', 'read'),
      denied('DeleteObject', 'mirror/stale-1.txt', 'write'),
      denied('DeleteObject', 'mirror/old/stale-2.txt', 'write'),
    ];
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context);
    const finding = report.findings[0];
    assert.equal(report.findings.length, 1);
    assert.ok(finding !== undefined);
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.decision]),
      [
        ['HeadObject', 's3:GetObject', 'ImplicitlyDenied'],
        ['DeleteObject', 's3:DeleteObject', 'ImplicitlyDenied'],
        ['DeleteObject', 's3:DeleteObject', 'ImplicitlyDenied'],
      ],
    );
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/mirror/*'] },
    ]);
    assert.equal(finding.fix?.verified, true);
    // Three requests listed, two granted: the verification says why the third is not.
    assert.ok(
      finding.fix?.verification.includes(
        "With the fix applied, the 2 denied requests it covers evaluate to Allowed; deliberately not granted (see the caveats): 1 rclone check of the job's root (which it gets past).",
      ),
      finding.fix?.verification.join(' | '),
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith('Not granted by the fix: the HEAD of data/mirror is rclone checking'),
      ),
      finding.caveats.join(' | '),
    );
    assert.equal(finding.jobProfile?.operation, 'sync');
    assert.deepEqual([...new Set(finding.jobProfile?.statements.flatMap((s) => s.Resource))].sort(), [
      'arn:aws:s3:::data',
      'arn:aws:s3:::data/mirror/*',
    ]);
  });

  test('two remote paths in the bucket (move remote:data/mirror remote:data/archive), both roots refused: the profile covers the two directories, not the whole bucket', () => {
    const v175 = '[rclone/v1.75.2]';
    const records = [
      denied('HeadObject', 'mirror', 'read', v175),
      // v1.75 lists each refused root (no delimiter) to see whether it holds objects.
      succeededListing('mirror/', { userAgent: v175 }),
      denied('HeadObject', 'archive', 'read', v175),
      succeededListing('archive/', { userAgent: v175 }),
    ];
    const [finding] = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      context,
    ).findings;
    assert.ok(finding?.jobProfile !== undefined && finding.jobProfile !== null);
    assert.deepEqual(
      finding.jobProfile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::data']],
        ['RcloneObjects', ['arn:aws:s3:::data/mirror/*', 'arn:aws:s3:::data/archive/*']],
        ['RcloneRootCheck', ['arn:aws:s3:::data/mirror', 'arn:aws:s3:::data/archive']],
      ],
    );
    // The fix stays the two keys.
    assert.deepEqual(finding.fix?.statements.flatMap((s) => s.Resource).sort(), [
      'arn:aws:s3:::data/archive',
      'arn:aws:s3:::data/mirror',
    ]);
  });

  test('when the probe is the only request the visible policies refuse, it is not the cause: the rest is allowed and no fix is proposed', () => {
    // CloudTrail says the delete was denied too, but the visible policies allow it: something not
    // visible here (an SCP, a session policy) refused it, and the root probe must not hide that.
    const withDelete = {
      ...policy,
      Statement: [
        ...policy.Statement,
        { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/mirror/*' },
      ],
    };
    const records = [
      denied('HeadObject', 'mirror', 'read'),
      denied('DeleteObject', 'mirror/stale-1.txt', 'write'),
    ];
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      explainContext({ snapshot: snapshotWithUser('backup', withDelete) }),
    ).findings[0];
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding.fix, null);
    assert.ok(finding.caveats.some((c) => c.includes('HEAD of data/mirror is rclone checking')));
    assert.ok(finding.caveats.some((c) => c.includes('service control policies')));
  });

  test('the same HEAD from another client may be a real read: it is granted, the key at the bucket root on its own and the other keys on their directory (not the whole bucket)', () => {
    const records = [
      { ...denied('HeadObject', 'mirror', 'read'), userAgent: '[aws-sdk-go/1.44]' },
      { ...denied('DeleteObject', 'mirror/stale-1.txt', 'write'), userAgent: '[aws-sdk-go/1.44]' },
    ];
    const finding = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context)
      .findings[0];
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:GetObject'], ['arn:aws:s3:::data/mirror']],
        [['s3:DeleteObject'], ['arn:aws:s3:::data/mirror/*']],
      ],
    );
    assert.equal(finding?.fix?.verified, true);
    assert.ok(finding?.caveats.some((c) => c.startsWith('data/mirror is at the bucket root')));
  });

  describe('a job that succeeded but for its root check', () => {
    const listed = succeededListing('mirror/', { userAgent: rclone, delimiter: '/' });
    const explainFiles = (...files: { name: string; text: string }[]) =>
      explainTexts(
        files.map((f) => ({ input: f.name, text: f.text })),
        context,
      ).findings;

    test('with its listing of mirror/ in the input, the lone denied HEAD of mirror gets no fix: nothing to grant', () => {
      const findings = explainFiles({
        name: 't.json',
        text: JSON.stringify({ Records: [listed, denied('HeadObject', 'mirror', 'read')] }),
      });
      assert.equal(findings.length, 1);
      assert.equal(findings[0]?.fix, null);
      assert.ok(
        findings[0]?.caveats.some((c) => c.startsWith('Nothing to grant: the only denial is that check')),
      );
      assert.ok(findings[0]?.caveats.some((c) => c.includes('HEAD of data/mirror is rclone checking')));
    });

    test('without evidence of the directory, the HEAD may be a real read and is granted, on that key alone', () => {
      const findings = explainFiles({
        name: 't.json',
        text: JSON.stringify({ Records: [denied('HeadObject', 'mirror', 'read')] }),
      });
      assert.deepEqual(
        findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]],
      );
    });

    test('a lone denied HEAD of a key inside a directory listed whole just before (`rclone hashsum MD5 remote:data/arch/`, a multipart object) is a read of a listed object: its directory, a read profile, no root check', () => {
      // A real run against moto (rclone v1.60.1): the recursive listing of arch/, then the HEAD of the
      // multipart object whose MD5 hashsum reads.
      const findings = explainFiles({
        name: 't.json',
        text: JSON.stringify({
          Records: [
            succeededListing('arch/', { userAgent: rclone, delimiter: '' }),
            denied('HeadObject', 'arch/big.bin', 'read'),
          ],
        }),
      });
      const [finding] = findings;
      assert.deepEqual(
        finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:GetObject'], ['arn:aws:s3:::data/arch/*']]],
      );
      assert.equal(finding?.jobProfile?.operation, 'unknown');
      assert.deepEqual(
        finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
        [
          ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::data']],
          ['RcloneObjects', ['s3:GetObject'], ['arn:aws:s3:::data/arch/*']],
        ],
      );
      assert.match(finding?.jobProfile?.notes[0] ?? '', /^rclone listed the directory whole/);
      assert.ok(!finding?.jobProfile?.notes.some((n) => n.startsWith('rclone HEADed the root path')));
      assert.ok(
        !finding?.caveats.some((c) => c.includes("rclone's first request")),
        finding?.caveats.join(' | '),
      );
      // A listing of the whole bucket (`rclone size remote:data`, any earlier job) says nothing of a key.
      const [afterRootListing] = explainFiles({
        name: 't.json',
        text: JSON.stringify({
          Records: [
            succeededListing('', { userAgent: rclone, delimiter: '' }),
            denied('HeadObject', 'arch/big.bin', 'read'),
          ],
        }),
      });
      assert.ok(afterRootListing?.caveats.some((c) => c.includes("rclone's first request")));
    });

    describe('a root check below a directory listed whole by an earlier command (`rclone ls remote:data/nas` before the job on remote:data/nas/mirror)', () => {
      const nested = explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
            {
              Effect: 'Allow',
              Action: ['s3:PutObject', 's3:GetObject'],
              Resource: 'arn:aws:s3:::data/nas/mirror/*',
            },
          ],
        }),
      });
      const at = (record: Record<string, unknown>, eventTime: string) => ({ ...record, eventTime });
      // Ten minutes before the job, within the finding's window, by the same rclone.
      const lsOfNas = at(
        succeededListing('nas/', { userAgent: rclone, delimiter: '' }),
        '2026-11-27T09:50:00Z',
      );
      const job = (...rest: Record<string, unknown>[]) => [
        lsOfNas,
        denied('HeadObject', 'nas/mirror', 'read'),
        succeededListing('nas/mirror/', { userAgent: rclone, delimiter: '/' }),
        ...rest,
      ];
      const explainJob = (records: Record<string, unknown>[]) =>
        explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], nested).findings;

      test('a sync refused its deletes: the HEAD of nas/mirror, whose directory it lists next, is its root check, so the fix is s3:DeleteObject on nas/mirror/* alone and the profile a sync', () => {
        const [finding] = explainJob(
          job(
            denied('DeleteObject', 'nas/mirror/2019/img_0001.jpg', 'write'),
            denied('DeleteObject', 'nas/mirror/tmp/cache.db', 'write'),
          ),
        );
        assert.deepEqual(finding?.fix?.statements, [
          { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/nas/mirror/*'] },
        ]);
        assert.equal(finding?.fix?.verified, true);
        assert.equal(finding?.jobProfile?.operation, 'sync');
        const notes = finding?.jobProfile?.notes ?? [];
        assert.ok(!notes.some((n) => n.startsWith('rclone listed the directory whole')), notes.join(' | '));
        assert.ok(
          !notes.some((n) => n.includes('`rclone delete` or `rclone purge`, which only')),
          notes.join(' | '),
        );
        assert.ok(!notes.some((n) => n.includes('inferred from the refused keys')), notes.join(' | '));
      });

      test('a copy refused only that root check gets no fix: nothing to grant', () => {
        const [finding] = explainJob(
          job({
            ...succeededListing('nas/mirror/', { userAgent: rclone }),
            eventName: 'PutObject',
            requestParameters: { bucketName: 'data', key: 'nas/mirror/2024/new.jpg', Host: 'x' },
          }),
        );
        assert.equal(finding?.fix, null);
        assert.ok(
          finding?.caveats.some((c) => c.startsWith('Nothing to grant: the only denial is that check')),
        );
      });
    });

    test("a HEAD inside a directory listed whole is a read of a listed object only after the job's own listing: not one by another client, one after the HEAD, or one longer before it than the finding's window", () => {
      const at = (record: Record<string, unknown>, eventTime: string) => ({ ...record, eventTime });
      const head = at(denied('HeadObject', 'arch/big.bin', 'read'), '2026-11-27T10:00:00Z');
      const cases: [string, Record<string, unknown>][] = [
        [
          'another client',
          succeededListing('arch/', { userAgent: '[aws-cli/2.15.0 md/command#s3.ls]', delimiter: '' }),
        ],
        [
          'after',
          at(succeededListing('arch/', { userAgent: rclone, delimiter: '' }), '2026-11-27T10:00:05Z'),
        ],
        [
          'an hour and more before',
          at(succeededListing('arch/', { userAgent: rclone, delimiter: '' }), '2026-11-27T08:59:59Z'),
        ],
      ];
      for (const [name, listing] of cases) {
        const [finding] = explainFiles({
          name: 't.json',
          text: JSON.stringify({ Records: [listing, head] }),
        });
        assert.deepEqual(
          finding?.fix?.statements.map((s) => s.Resource),
          [['arn:aws:s3:::data/arch/big.bin']],
          name,
        );
        assert.ok(
          !finding?.jobProfile?.notes.some((n) => n.startsWith('rclone listed the directory whole')),
          name,
        );
      }
      // Within the window, by the same client, a minute before: the read of a listed object.
      const [within] = explainFiles({
        name: 't.json',
        text: JSON.stringify({
          Records: [
            at(succeededListing('arch/', { userAgent: rclone, delimiter: '' }), '2026-11-27T09:59:00Z'),
            head,
          ],
        }),
      });
      assert.deepEqual(
        within?.fix?.statements.map((s) => s.Resource),
        [['arn:aws:s3:::data/arch/*']],
      );
    });

    test('a listing in a file that turns out broken counts for nothing (taken back with the file)', () => {
      const valid = JSON.stringify({ Records: [listed, deniedRecord(), deniedRecord()] });
      const third = /"eventID":"[^"]+"/g;
      const ids = [...valid.matchAll(third)].map((m) => m[0]);
      const broken = valid.replace(ids[2] ?? '', `${ids[2]},`);
      assert.notEqual(broken, valid);
      const findings = explainFiles(
        { name: 'broken.json', text: broken },
        { name: 'head.json', text: JSON.stringify({ Records: [denied('HeadObject', 'mirror', 'read')] }) },
      );
      assert.deepEqual(
        findings.map((f) => f.fix?.statements.map((s) => s.Action)),
        [[['s3:GetObject']]],
      );
    });
  });

  describe('from rclone v1.72, where the denied check can stop the job', () => {
    const recent = '[rclone/v1.73.5]';

    test('the fix grants s3:GetObject on the root key alone (not the bucket), beside the deletes on mirror/*', () => {
      const records = [
        denied('HeadObject', 'mirror', 'read', recent),
        denied('DeleteObject', 'mirror/stale-1.txt', 'write', recent),
        denied('DeleteObject', 'mirror/old/stale-2.txt', 'write', recent),
      ];
      const finding = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context)
        .findings[0];
      assert.deepEqual(
        finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:GetObject'], ['arn:aws:s3:::data/mirror']],
          [['s3:DeleteObject'], ['arn:aws:s3:::data/mirror/*']],
        ],
      );
      assert.equal(finding.fix.verified, true);
      assert.ok(
        finding.caveats.some((c) => c.startsWith('Granted on that key alone: the HEAD of data/mirror')),
      );
      assert.ok(finding.caveats.some((c) => c.includes('from v1.72 to v1.74.3 a 403 there stops the job')));
      const profile = finding.jobProfile;
      assert.deepEqual(
        profile?.statements.filter((s) => s.Sid === 'RcloneRootCheck').map((s) => [s.Action, s.Resource]),
        [[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]],
      );
      assert.ok(profile.statements.some((s) => s.Resource.includes('arn:aws:s3:::data/mirror/*')));
    });

    describe('from v1.74.4 and v1.75, where rclone then lists the directory and carries on if it holds objects', () => {
      const lister = '[rclone/v1.75.2]';
      const succeeded = (eventName: string, key: string) =>
        deniedRecord({
          eventName,
          userAgent: lister,
          errorCode: undefined,
          errorMessage: undefined,
          requestParameters: { bucketName: 'data', key, 'x-id': eventName, Host: 'x' },
        });
      const fallbackListing = succeededListing('mirror/', { userAgent: lister });
      const explainRecords = (records: unknown[]) =>
        explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context).findings;

      test('the input shows objects in mirror/ (an upload into it succeeded): the denied check is not granted, and alone it leaves nothing to grant', () => {
        const findings = explainRecords([
          denied('HeadObject', 'mirror', 'read', lister),
          fallbackListing,
          succeeded('PutObject', 'mirror/sub/a.txt'),
        ]);
        assert.equal(findings.length, 1);
        assert.equal(findings[0]?.fix, null);
        assert.ok(
          findings[0]?.caveats.some((c) =>
            c.startsWith('Nothing to grant: the only denial is that check, and rclone carried on past it'),
          ),
          findings[0]?.caveats.join(' | '),
        );
        assert.ok(
          findings[0]?.caveats.some(
            (c) =>
              c.startsWith('Not granted by the fix: the HEAD of data/mirror is rclone checking') &&
              c.includes('This input shows objects in data/mirror/'),
          ),
        );
        // The profile keeps the grant: a run into a new or empty directory needs it.
        assert.deepEqual(
          findings[0]?.jobProfile?.statements
            .filter((s) => s.Sid === 'RcloneRootCheck')
            .map((s) => s.Resource),
          [['arn:aws:s3:::data/mirror']],
        );
      });

      test('with the other denials of the job, the fix leaves the check out and keeps the rest', () => {
        const findings = explainRecords([
          denied('HeadObject', 'mirror', 'read', lister),
          succeeded('HeadObject', 'mirror/a.txt'),
          denied('DeleteObject', 'mirror/stale-1.txt', 'write', lister),
        ]);
        assert.deepEqual(
          findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
          [[['s3:DeleteObject'], ['arn:aws:s3:::data/mirror/*']]],
        );
      });

      test('only the listing, or objects elsewhere, or a delete (which shows no object): the directory may be empty, and the check is granted on its key', () => {
        for (const others of [
          [fallbackListing],
          [fallbackListing, succeeded('PutObject', 'mirror-old/a.txt'), succeeded('PutObject', 'a.txt')],
          [fallbackListing, succeeded('DeleteObject', 'mirror/old.txt')],
        ]) {
          const findings = explainRecords([denied('HeadObject', 'mirror', 'read', lister), ...others]);
          assert.deepEqual(
            findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
            [[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]],
          );
          assert.ok(
            findings[0]?.caveats.some((c) =>
              c.includes('since v1.75 (and in v1.74.4) rclone then lists data/mirror/'),
            ),
          );
        }
      });

      test('objects seen only in a file that turns out broken count for nothing (taken back with the file)', () => {
        const valid = JSON.stringify({
          Records: [succeeded('PutObject', 'mirror/a.txt'), deniedRecord(), deniedRecord()],
        });
        const ids = [...valid.matchAll(/"eventID":"[^"]+"/g)].map((m) => m[0]);
        const broken = valid.replace(ids[2] ?? '', `${ids[2]},`);
        assert.notEqual(broken, valid);
        const findings = explainTexts(
          [
            { input: 'broken.json', text: broken },
            {
              input: 'head.json',
              text: JSON.stringify({
                Records: [denied('HeadObject', 'mirror', 'read', lister), fallbackListing],
              }),
            },
          ],
          context,
        ).findings;
        assert.deepEqual(
          findings.map((f) => f.fix?.statements.map((s) => [s.Action, s.Resource])),
          [[[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]]],
        );
      });

      describe('a root that rclone takes for a file', () => {
        const objectStatements = (
          finding:
            | {
                jobProfile: {
                  statements: readonly {
                    Sid?: string;
                    Action: readonly string[];
                    Resource: readonly string[];
                  }[];
                } | null;
              }
            | undefined,
        ) => finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]);

        test('rclone cat: after the refused HEAD and an empty listing of cat/c.txt/, it reads the file; one read of it, granted on its directory, with a read profile', () => {
          for (const read of [
            denied('GetObject', 'cat/c.txt', 'read', lister),
            // The read succeeded elsewhere in the input (another run, with the grant).
            succeeded('GetObject', 'cat/c.txt'),
          ]) {
            const findings = explainRecords([
              denied('HeadObject', 'cat/c.txt', 'read', lister),
              succeededListing('cat/c.txt/', { userAgent: lister }),
              succeededListing('cat/', { userAgent: lister, delimiter: '/' }),
              read,
            ]);
            assert.equal(findings.length, 1);
            assert.deepEqual(
              findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
              [[['s3:GetObject'], ['arn:aws:s3:::data/cat/*']]],
            );
            assert.ok(
              !findings[0]?.caveats.some((c) =>
                c.includes('is rclone checking whether the destination root'),
              ),
            );
            assert.equal(findings[0]?.jobProfile?.operation, 'unknown');
            assert.deepEqual(objectStatements(findings[0]), [
              ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::data']],
              ['RcloneObjects', ['s3:GetObject'], ['arn:aws:s3:::data/cat/*']],
            ]);
          }
        });

        test('a refused listing of the directory: rclone lists the one above it (with a delimiter) to find the file; the profile stays in the directory, not its parent or the bucket', () => {
          const getOnly = backupUserContext([
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: ['arn:aws:s3:::data/mirror/*', 'arn:aws:s3:::data/team/mirror/*'],
            },
          ]);
          const deniedListing = (prefix: string, delimiter?: string) =>
            deniedRecord({
              eventName: 'ListObjects',
              userAgent: lister,
              errorMessage: 'Access Denied',
              requestParameters: {
                bucketName: 'data',
                'list-type': '2',
                prefix,
                ...(delimiter !== undefined ? { delimiter } : {}),
                Host: 'x',
              },
              resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
            });
          for (const [root, parent] of [
            ['mirror', ''],
            ['team/mirror', 'team/'],
          ] as const) {
            const findings = explainTexts(
              [
                {
                  input: 't.json',
                  text: JSON.stringify({
                    Records: [
                      denied('HeadObject', root, 'read', lister),
                      deniedListing(`${root}/`),
                      deniedListing(parent, '/'),
                    ],
                  }),
                },
              ],
              getOnly,
            ).findings;
            assert.equal(findings.length, 1);
            assert.deepEqual(
              findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
              [
                [['s3:ListBucket'], ['arn:aws:s3:::data']],
                [['s3:GetObject'], [`arn:aws:s3:::data/${root}`]],
              ],
            );
            const objects = findings[0]?.jobProfile?.statements.find((s) => s.Sid === 'RcloneObjects');
            assert.deepEqual(objects?.Resource, [`arn:aws:s3:::data/${root}/*`], root);
          }
        });
      });

      test('a root check the visible policies allow (its denial is another, e.g. no s3:ListBucket for a missing key) still names the directory, not a key in the parent', () => {
        const readsAll = backupUserContext([
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
        ]);
        const findings = explainTexts(
          [
            {
              input: 't.json',
              text: JSON.stringify({
                Records: [
                  denied('HeadObject', 'hosts/nas-1', 'read', lister),
                  denied('DeleteObject', 'hosts/nas-1/2026/a.bin', 'write', lister),
                  denied('DeleteObject', 'hosts/nas-1/2026/b.bin', 'write', lister),
                ],
              }),
            },
          ],
          readsAll,
        ).findings;
        assert.equal(findings.length, 1);
        assert.equal(findings[0]?.requests[0]?.decision, 'Allowed');
        assert.deepEqual(
          findings[0]?.jobProfile?.statements.find((s) => s.Sid === 'RcloneObjects')?.Resource,
          ['arn:aws:s3:::data/hosts/nas-1/*'],
        );
      });

      test('before v1.74.4 the check stops the job even when the directory holds objects: granted', () => {
        const findings = explainRecords([
          denied('HeadObject', 'mirror', 'read', '[rclone/v1.74.3]'),
          { ...succeeded('PutObject', 'mirror/a.txt'), userAgent: '[rclone/v1.74.3]' },
        ]);
        assert.deepEqual(
          findings[0]?.fix?.statements.map((s) => [s.Action, s.Resource]),
          [[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]],
        );
      });
    });

    describe("a lone denied HEAD: rclone's first request, and nothing else refused (v1.72 to v1.74.3 stop there)", () => {
      const stopped = '[rclone/v1.74.3]';
      const only = (key: string, userAgent = stopped, ...more: unknown[]) =>
        explainTexts(
          [
            {
              input: 't.json',
              text: JSON.stringify({ Records: [denied('HeadObject', key, 'read', userAgent), ...more] }),
            },
          ],
          context,
        ).findings;

      test('the fix is s3:GetObject on that key, not the bucket; the profile works in mirror/ and grants the check', () => {
        const [finding, ...rest] = only('mirror');
        assert.equal(rest.length, 0);
        assert.deepEqual(
          finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
          [[['s3:GetObject'], ['arn:aws:s3:::data/mirror']]],
        );
        assert.equal(finding?.fix?.verified, true);
        assert.ok(
          finding?.caveats.some((c) =>
            c.startsWith("Granted on that key alone: the HEAD of data/mirror is rclone's first request"),
          ),
          finding?.caveats.join(' | '),
        );
        assert.deepEqual(
          finding?.jobProfile?.statements.map((s) => [s.Sid, s.Resource]),
          [
            ['RcloneListBucket', ['arn:aws:s3:::data']],
            ['RcloneObjects', ['arn:aws:s3:::data/mirror/*']],
            ['RcloneRootCheck', ['arn:aws:s3:::data/mirror']],
          ],
        );
      });

      test('before v1.72 too (it may be the file the job names): granted on the key, never left out as harmless', () => {
        const [finding] = only('hosts/nas-01', '[rclone/v1.60.1]');
        assert.deepEqual(
          finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
          [[['s3:GetObject'], ['arn:aws:s3:::data/hosts/nas-01']]],
        );
        assert.ok(finding?.jobProfile?.statements.some((s) => s.Sid === 'RcloneRootCheck'));
      });

      test('a successful upload into mirror/ elsewhere in the input shows the directory: a root check, as with a listing', () => {
        const put = deniedRecord({
          eventName: 'PutObject',
          userAgent: stopped,
          errorCode: undefined,
          errorMessage: undefined,
          requestParameters: { bucketName: 'data', key: 'mirror/a.txt', Host: 'x' },
        });
        const [finding] = only('mirror', '[rclone/v1.71.2]', put);
        assert.equal(finding?.fix, null);
        assert.ok(finding?.caveats.some((c) => c.startsWith('Nothing to grant')));
      });

      test('with another request refused, or from another client, it is not lone', () => {
        const [withDelete] = only('mirror', stopped, denied('DeleteObject', 'other/x.txt', 'write', stopped));
        assert.ok(!withDelete?.caveats.some((c) => c.includes("rclone's first request")));
        // A key at the bucket root: that object alone, not the bucket.
        const [sdk] = only('mirror', '[aws-sdk-go/1.44]');
        assert.deepEqual(
          sdk?.fix?.statements.map((s) => s.Resource),
          [['arn:aws:s3:::data/mirror']],
        );
      });
    });

    test('an unknown version is treated the same way, and says what each version does', () => {
      const records = [
        denied('HeadObject', 'mirror', 'read', '[rclone/]'),
        denied('DeleteObject', 'mirror/stale-1.txt', 'write', '[rclone/]'),
      ];
      const finding = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context)
        .findings[0];
      assert.ok(finding !== undefined);
      assert.ok(finding.fix?.statements.some((s) => s.Resource.includes('arn:aws:s3:::data/mirror')));
      assert.ok(finding.caveats.some((c) => c.includes('the rclone version is unknown')));
    });
  });
});
