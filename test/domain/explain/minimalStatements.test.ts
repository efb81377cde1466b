import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  commonDirectory,
  datedDirectoryCaveat,
  MAX_SEPARATE_OBJECT_RESOURCES,
  minimalStatements,
  objectPattern,
  rootLevelKeysCaveat,
  wholeBucketCaveat,
} from '../../../src/domain/explain/minimalStatements.js';

describe('commonDirectory', () => {
  test('cuts the longest common prefix back to its last slash', () => {
    assert.equal(commonDirectory(['daily/2026/a.bin', 'daily/2026/b.bin', 'daily/2025/c.bin']), 'daily/');
  });
  test('a single key keeps its whole directory', () => {
    assert.equal(commonDirectory(['daily/db.dump']), 'daily/');
  });
  test('keys without a common directory give the bucket root', () => {
    assert.equal(commonDirectory(['alpha.txt', 'beta/x']), '');
    assert.equal(commonDirectory([]), '');
  });
  test('a shared partial name is not a directory', () => {
    assert.equal(commonDirectory(['logs-2026/a', 'logs-2025/b']), '');
  });
  test('a key that is a directory itself, a leading slash and an empty key', () => {
    assert.equal(commonDirectory(['daily/', 'daily/a']), 'daily/');
    assert.equal(commonDirectory(['/a', '/b']), '/');
    assert.equal(commonDirectory(['', 'daily/a']), '');
  });
  test('is the longest common prefix of the keys, cut back to its last slash', () => {
    // The definition, spelled out: compare every key's prefixes.
    const reference = (keys: string[]): string => {
      let prefix = keys[0] ?? '';
      for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
      return prefix.slice(0, prefix.lastIndexOf('/') + 1);
    };
    const key = fc.array(fc.constantFrom('a', 'b', '/', 'é', '*'), { maxLength: 8 }).map((c) => c.join(''));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 5 }), (keys) => {
        assert.equal(commonDirectory(keys), reference(keys));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('minimalStatements', () => {
  test('bucket-level actions get the bucket ARN, object-level ones the common directory', () => {
    const statements = minimalStatements([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::backup', bucket: 'backup' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::backup/daily/a', bucket: 'backup', key: 'daily/a' },
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::backup/daily/sub/b',
        bucket: 'backup',
        key: 'daily/sub/b',
      },
    ]);
    assert.deepEqual(statements, [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::backup'] },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::backup/daily/*'],
      },
    ]);
  });

  test('object resources stay in the partition of the requests (China, GovCloud), bucket by bucket', () => {
    const statements = minimalStatements([
      { action: 's3:ListBucket', resource: 'arn:aws-cn:s3:::backup', bucket: 'backup' },
      {
        action: 's3:PutObject',
        resource: 'arn:aws-cn:s3:::backup/daily/a',
        bucket: 'backup',
        key: 'daily/a',
      },
      {
        action: 's3:GetObject',
        resource: 'arn:aws-us-gov:s3:::backup/daily/b',
        bucket: 'backup',
        key: 'daily/b',
      },
      {
        action: 's3:GetObject',
        resource: 'arn:aws-us-gov:s3:::logs/app.log',
        bucket: 'logs',
        key: 'app.log',
      },
      { action: 's3:GetObject', resource: 'arn:aws-us-gov:s3:::logs/x/1', bucket: 'logs', key: 'x/1' },
    ]);
    assert.deepEqual(
      statements.map((s) => [s.Action.join(), s.Resource.join()]),
      [
        ['s3:ListBucket', 'arn:aws-cn:s3:::backup'],
        ['s3:PutObject', 'arn:aws-cn:s3:::backup/daily/*'],
        ['s3:GetObject', 'arn:aws-us-gov:s3:::backup/daily/*'],
        ['s3:GetObject', 'arn:aws-us-gov:s3:::logs/app.log'],
        ['s3:GetObject', 'arn:aws-us-gov:s3:::logs/x/*'],
      ],
    );
    assert.equal(objectPattern('b', 'd/', 'aws-cn'), 'arn:aws-cn:s3:::b/d/*');
  });

  test('actions that take no resource get "*"', () => {
    assert.deepEqual(minimalStatements([{ action: 's3:ListAllMyBuckets', resource: '*' }]), [
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
    ]);
  });

  test('repeated requests produce each action once', () => {
    const r = { action: 's3:PutObject', resource: 'arn:aws:s3:::b/x/1', bucket: 'b', key: 'x/1' };
    assert.deepEqual(minimalStatements([r, r, r])[0]?.Action, ['s3:PutObject']);
  });

  test('objects of two buckets get one statement each', () => {
    const statements = minimalStatements([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::src/in/a', bucket: 'src', key: 'in/a' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::dst/out/a', bucket: 'dst', key: 'out/a' },
    ]);
    assert.deepEqual(
      statements.map((s) => s.Resource[0]),
      ['arn:aws:s3:::dst/out/*', 'arn:aws:s3:::src/in/*'],
    );
  });

  test('a request that sets a canned ACL is granted for that ACL alone; the upload beside it and grant headers are not conditioned', () => {
    const acl = (action: string, key: string, context: Record<string, string>) => ({
      action,
      resource: `arn:aws:s3:::b/in/${key}`,
      bucket: 'b',
      key: `in/${key}`,
      context,
    });
    const owner = { 's3:x-amz-acl': 'bucket-owner-full-control' };
    assert.deepEqual(
      minimalStatements([
        acl('s3:PutObject', 'a', owner),
        acl('s3:PutObjectAcl', 'a', owner),
        acl('s3:PutObjectAcl', 'b', { 's3:x-amz-acl': 'private' }),
      ]),
      [
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::b/in/*'] },
        {
          Effect: 'Allow',
          Action: ['s3:PutObjectAcl'],
          Resource: ['arn:aws:s3:::b/in/*'],
          Condition: { StringEquals: { 's3:x-amz-acl': ['bucket-owner-full-control', 'private'] } },
        },
      ],
    );
    // A bucket's ACL too; an ACL given by grantee headers names no canned ACL to condition on.
    assert.deepEqual(
      minimalStatements([
        {
          action: 's3:PutBucketAcl',
          resource: 'arn:aws:s3:::b',
          bucket: 'b',
          context: { 's3:x-amz-acl': 'private' },
        },
        acl('s3:PutObjectAcl', 'c', { 's3:x-amz-grant-read': 'id=abc' }),
      ]),
      [
        {
          Effect: 'Allow',
          Action: ['s3:PutBucketAcl'],
          Resource: ['arn:aws:s3:::b'],
          Condition: { StringEquals: { 's3:x-amz-acl': 'private' } },
        },
        { Effect: 'Allow', Action: ['s3:PutObjectAcl'], Resource: ['arn:aws:s3:::b/in/*'] },
      ],
    );
  });

  describe('keys that share no directory', () => {
    const get = (key: string) => ({
      action: 's3:GetObject',
      resource: `arn:aws:s3:::b/${key}`,
      bucket: 'b',
      key,
    });
    const resources = (keys: string[]) => minimalStatements(keys.map(get)).flatMap((s) => s.Resource);

    test('each top-level directory gets the common directory of its keys, not the whole bucket', () => {
      assert.deepEqual(resources(['logs/2026/11/a', 'logs/2026/12/b', 'data/x']), [
        'arn:aws:s3:::b/data/*',
        'arn:aws:s3:::b/logs/2026/*',
      ]);
    });

    test('a key at the bucket root gets its own ARN (wildcards written literally), and a caveat says so', () => {
      const requests = ['index.html', 'report*.csv', 'site/app.js'].map(get);
      const statements = minimalStatements(requests);
      assert.deepEqual(
        statements.flatMap((s) => s.Resource),
        ['arn:aws:s3:::b/index.html', 'arn:aws:s3:::b/report${*}.csv', 'arn:aws:s3:::b/site/*'],
      );
      const caveat = rootLevelKeysCaveat(requests, statements);
      assert.ok(caveat?.startsWith('b/index.html, b/report*.csv are at the bucket root'), caveat);
      assert.ok(caveat?.includes('arn:aws:s3:::b/*'));
      // In China, the whole bucket it names is the China bucket.
      const china = requests.map((r) => ({ ...r, resource: r.resource.replace('arn:aws:', 'arn:aws-cn:') }));
      const chinaCaveat = rootLevelKeysCaveat(china, minimalStatements(china));
      assert.ok(chinaCaveat?.startsWith('b/index.html, b/report*.csv are at the bucket root'), chinaCaveat);
      assert.ok(chinaCaveat?.includes('it needs arn:aws-cn:s3:::b/*, the whole bucket'), chinaCaveat);
      // Keys in a directory need no caveat.
      assert.equal(
        rootLevelKeysCaveat([get('site/app.js')], minimalStatements([get('site/app.js')])),
        undefined,
      );
    });

    test(`more than ${MAX_SEPARATE_OBJECT_RESOURCES} separate resources, or an empty key, take the whole bucket`, () => {
      const many = Array.from({ length: MAX_SEPARATE_OBJECT_RESOURCES + 1 }, (_, i) => `dir${i}/x`);
      assert.deepEqual(resources(many), ['arn:aws:s3:::b/*']);
      assert.deepEqual(
        resources(many.slice(0, MAX_SEPARATE_OBJECT_RESOURCES)).length,
        MAX_SEPARATE_OBJECT_RESOURCES,
      );
      assert.deepEqual(resources(['', 'a/x']), ['arn:aws:s3:::b/*']);
    });

    test('taking the whole bucket for keys spread too widely is said in a caveat; a few places are not', () => {
      const many = [
        ...Array.from({ length: MAX_SEPARATE_OBJECT_RESOURCES }, (_, i) => `dir${i}/x`),
        'index.html',
      ].map(get);
      const caveat = wholeBucketCaveat(many, minimalStatements(many));
      assert.ok(
        caveat?.startsWith(
          `The fix grants every object of arn:aws:s3:::b/* (bucket b: the refused keys are in ${MAX_SEPARATE_OBJECT_RESOURCES} top-level directories and 1 object at the root: dir0/, dir1/, dir2/, dir3/ and 5 more)`,
        ),
        caveat,
      );
      const few = many.slice(0, MAX_SEPARATE_OBJECT_RESOURCES);
      assert.equal(wholeBucketCaveat(few, minimalStatements(few)), undefined);
      // A bucket-wide grant of keys that are not logged (a DeleteObjects) has its own caveat, also beside
      // keys spread widely: the whole bucket is needed anyway.
      const unlogged = [
        { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/*', bucket: 'b', anyKey: true as const },
      ];
      assert.equal(wholeBucketCaveat(unlogged, minimalStatements(unlogged)), undefined);
      const beside = [...many.map((r) => ({ ...r, action: 's3:DeleteObject' })), ...unlogged];
      assert.equal(wholeBucketCaveat(beside, minimalStatements(beside)), undefined);
    });

    test('every key is covered by a resource, and no resource is the whole bucket while there are few', () => {
      const key = fc.oneof(
        fc.constantFrom('a', 'b.txt', 'logs/', 'logs/x', 'logs/y/z', 'data/q', 'c*?'),
        fc.string({ minLength: 1, maxLength: 8 }),
      );
      fc.assert(
        fc.property(fc.array(key, { minLength: 1, maxLength: 12 }), (keys) => {
          const got = resources(keys);
          for (const k of keys) {
            const literal = k.replace(/[*?$]/g, (c) => `\${${c}}`);
            assert.ok(
              got.some((r) =>
                r.endsWith('*')
                  ? `arn:aws:s3:::b/${literal}`.startsWith(r.slice(0, -1))
                  : r === `arn:aws:s3:::b/${literal}`,
              ),
              `${k} not covered by ${got.join(', ')}`,
            );
          }
          const tops = new Set(keys.map((k) => (k.includes('/') ? k.slice(0, k.indexOf('/') + 1) : k)));
          if (tops.size <= MAX_SEPARATE_OBJECT_RESOURCES && commonDirectory(keys) === '')
            assert.ok(!got.includes('arn:aws:s3:::b/*') || keys.includes(''), got.join(', '));
        }),
      );
    });
  });

  test('an object granted by its exact ARN (no key given) has its key written as a literal, IAM-safe part', () => {
    assert.deepEqual(
      minimalStatements([
        { action: 's3:GetObject', resource: 'arn:aws:s3:::b/hosts/日本/nas*01' },
        { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' },
      ]).map((s) => s.Resource[0]),
      ['arn:aws:s3:::b', 'arn:aws:s3:::b/hosts/??/nas${*}01'],
    );
  });

  test('a check for any object (a DeleteObjects whose keys are not logged) is granted as its pattern', () => {
    assert.deepEqual(
      minimalStatements([
        { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/*', bucket: 'b', anyKey: true },
      ]).map((s) => s.Resource[0]),
      ['arn:aws:s3:::b/*'],
    );
  });

  test('wildcard characters in key names are written as literal policy variables', () => {
    assert.equal(objectPattern('b', 'weird*dir?/'), 'arn:aws:s3:::b/weird${*}dir${?}/*');
  });
});

describe('datedDirectoryCaveat', () => {
  const allow = (...Resource: string[]) => [{ Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource }];

  test('names the prefix above the first dated segment, for every way of spelling a date', () => {
    const cases: [string, string][] = [
      ['arn:aws:s3:::b/exports/2026/11/29/*', 'arn:aws:s3:::b/exports/*'],
      ['arn:aws:s3:::b/daily/2026-11-30/*', 'arn:aws:s3:::b/daily/*'],
      ['arn:aws:s3:::b/finance/2026-11/*', 'arn:aws:s3:::b/finance/*'],
      ['arn:aws:s3:::b/dumps/20261129/*', 'arn:aws:s3:::b/dumps/*'],
      ['arn:aws:s3:::b/lake/sales/dt=2026-11-29/*', 'arn:aws:s3:::b/lake/sales/*'],
      ['arn:aws:s3:::b/lake/Year=2026/month=11/*', 'arn:aws:s3:::b/lake/*'],
      ['arn:aws:s3:::b/2026/11/*', 'arn:aws:s3:::b/*'],
      ['arn:aws-cn:s3:::b/logs/2026/*', 'arn:aws-cn:s3:::b/logs/*'],
      ['arn:aws:s3:::b/weekly/2026-W48/*', 'arn:aws:s3:::b/weekly/*'],
      ['arn:aws:s3:::b/quarterly/2026Q4/*', 'arn:aws:s3:::b/quarterly/*'],
      // A day with its time: S3 Inventory's run directories, and the compact ISO form.
      ['arn:aws:s3:::b/inv/src/daily/2026-11-28T01-00Z/*', 'arn:aws:s3:::b/inv/src/daily/*'],
      ['arn:aws:s3:::b/runs/20261128T0100Z/*', 'arn:aws:s3:::b/runs/*'],
      ['arn:aws:s3:::b/runs/2026-11-28T01:00:00Z/*', 'arn:aws:s3:::b/runs/*'],
      // Through an access point, the key follows `object/`.
      [
        'arn:aws:s3:eu-west-1:111122223333:accesspoint/etl/object/incoming/2026-11-28/*',
        'arn:aws:s3:eu-west-1:111122223333:accesspoint/etl/object/incoming/*',
      ],
    ];
    for (const [resource, wider] of cases) {
      const caveat = datedDirectoryCaveat(allow(resource));
      assert.ok(caveat?.includes(`use ${wider} for ${resource}.`), `${resource}: ${caveat}`);
    }
  });

  test('says nothing of directories that are not dated, of single objects, or of other resources', () => {
    for (const resource of [
      'arn:aws:s3:::b/daily/*',
      'arn:aws:s3:::b/v2026/x/*',
      'arn:aws:s3:::b/build/12345/*',
      'arn:aws:s3:::b/2026-13/*',
      'arn:aws:s3:::b/2026-W54/*',
      'arn:aws:s3:::b/2026-11T01-00Z/*',
      'arn:aws:s3:::b/2026-11-28Tuesday/*',
      'arn:aws:s3:::b/exports/2026/orders.csv',
      'arn:aws:s3:::b',
      '*',
    ]) {
      assert.equal(datedDirectoryCaveat(allow(resource)), undefined, resource);
    }
  });

  test('a release directory gets the prefix above it; one inside a dated directory only the dated advice', () => {
    for (const [resource, wider] of [
      ['arn:aws:s3:::b/releases/v2.4.1/*', 'arn:aws:s3:::b/releases/*'],
      ['arn:aws:s3:::b/app/1.18.0-rc.1/assets/*', 'arn:aws:s3:::b/app/*'],
    ]) {
      const caveat = datedDirectoryCaveat(allow(resource ?? ''));
      assert.ok(caveat?.startsWith(`The fix grants a release's directory (${resource})`), caveat);
      assert.ok(caveat?.includes(`use ${wider} for ${resource}.`), caveat);
    }
    const both = datedDirectoryCaveat(allow('arn:aws:s3:::b/nightly/2026-11-29/v1.2.3/*'));
    assert.ok(both?.startsWith('The fix grants a dated directory'), both);
    assert.ok(!both?.includes("release's directory"), both);
    assert.equal(datedDirectoryCaveat(allow('arn:aws:s3:::b/v2/*')), undefined);
  });

  test("a job profile's note leaves out what the fix's caveat already says, and keeps the rest", () => {
    const fix = allow('arn:aws:s3:::b/in/2026/11/*', 'arn:aws:s3:::logs-2026/*');
    const profile = allow(
      'arn:aws:s3:::b/in/2026/11/*',
      'arn:aws:s3:::b/out/2026-11-29/*',
      'arn:aws:s3:::b/in/2026/11/v1.2/*',
      'arn:aws:s3:::logs-2026/*',
    );
    const note = datedDirectoryCaveat(profile, 'job profile', false, fix);
    // A resource of its own inside the fix's dated directory is still named; the fix's directory is not.
    assert.ok(
      note?.startsWith(
        'The job profile grants a dated directory (arn:aws:s3:::b/out/2026-11-29/*, arn:aws:s3:::b/in/2026/11/v1.2/*)',
      ),
      note,
    );
    assert.ok(!note?.includes('b/in/2026/11/*'), note);
    assert.ok(!note?.includes('holds a date'), note);
    assert.equal(datedDirectoryCaveat(fix, 'job profile', false, fix), undefined);
    // The same directory with a different wider prefix is not what the fix's caveat said.
    assert.ok(datedDirectoryCaveat(profile, 'job profile', false, [])?.includes('b/in/2026/11/*'));
  });

  test('one caveat for several dated resources, each with its wider prefix', () => {
    const caveat = datedDirectoryCaveat([
      ...allow('arn:aws:s3:::b/in/2026/11/*'),
      ...allow('arn:aws:s3:::b/plain/*', 'arn:aws:s3:::c/out/dt=2026-11-29/*'),
    ]);
    assert.ok(caveat?.includes('(arn:aws:s3:::b/in/2026/11/*, arn:aws:s3:::c/out/dt=2026-11-29/*)'));
    assert.ok(
      caveat?.includes(
        'use arn:aws:s3:::b/in/* for arn:aws:s3:::b/in/2026/11/*; arn:aws:s3:::c/out/* for arn:aws:s3:::c/out/dt=2026-11-29/*.',
      ),
    );
    assert.ok(!caveat?.includes('plain'));
  });

  test("a bucket whose name holds a date gets its series' ARN, in its partition; other names get nothing", () => {
    const cases: [string, string][] = [
      ['arn:aws:s3:::acme-exports-2027', 'arn:aws:s3:::acme-exports-* for acme-exports-2027'],
      ['arn:aws:s3:::acme-exports-2027/*', 'arn:aws:s3:::acme-exports-* for acme-exports-2027'],
      ['arn:aws:s3:::logs.2026-11.eu', 'arn:aws:s3:::logs.* for logs.2026-11.eu'],
      ['arn:aws-cn:s3:::dumps_20261129', 'arn:aws-cn:s3:::dumps_* for dumps_20261129'],
    ];
    for (const [resource, series] of cases) {
      const caveat = datedDirectoryCaveat(allow(resource));
      assert.ok(caveat?.includes('names a bucket whose name holds a date'), `${resource}: ${caveat}`);
      assert.ok(
        caveat?.includes(`use ${series} (with /* after it for the objects)`),
        `${resource}: ${caveat}`,
      );
    }
    // A date first would make the series every bucket; a build number or version is not a date.
    for (const resource of [
      'arn:aws:s3:::2027-exports',
      'arn:aws:s3:::preview-pr-4182',
      'arn:aws:s3:::app-v2',
    ]) {
      assert.equal(datedDirectoryCaveat(allow(resource)), undefined, resource);
    }
  });
});
