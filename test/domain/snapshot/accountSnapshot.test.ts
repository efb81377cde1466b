import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAwsManagedPolicyArn, parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/snapshot/${name}`, import.meta.url), 'utf8'));

function parsed(json: unknown, source = 'authz.json') {
  const result = parseAccountSnapshot(json, source);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

/** Pages built from the CLI fixture, so tests can change one detail of a realistic snapshot. */
function cliSnapshot(): Record<string, unknown[]> {
  return fixture('authz-cli.json') as Record<string, unknown[]>;
}

describe('parseAccountSnapshot on AWS CLI output', () => {
  const { snapshot, warnings } = parsed(fixture('authz-cli.json'));

  test('reads every user, group, role and managed policy and infers the account from ARNs', () => {
    assert.deepEqual(
      snapshot.users.map((u) => u.name),
      ['backup-bot', 'alice'],
    );
    assert.deepEqual(
      snapshot.groups.map((g) => g.name),
      ['backup-operators', 'developers'],
    );
    assert.deepEqual(
      snapshot.roles.map((r) => r.name),
      ['rclone-sync', 'ci-deployer', 'AWSReservedSSO_DataEngineer_0123456789abcdef'],
    );
    assert.deepEqual(
      snapshot.managedPolicies.map((p) => [p.name, p.managedBy]),
      [
        ['BackupWriter', 'customer'],
        ['S3OnlyBoundary', 'customer'],
        ['IAMUserChangePassword', 'aws'],
      ],
    );
    assert.equal(snapshot.accountId, '111122223333');
    assert.equal(snapshot.source, 'authz.json');
  });

  test('keeps paths, group membership, boundaries, tags and role last use', () => {
    const bot = snapshot.users.find((u) => u.name === 'backup-bot');
    assert.equal(bot?.path, '/service/');
    assert.deepEqual(bot?.groups, ['backup-operators']);
    assert.equal(bot?.permissionsBoundaryArn, 'arn:aws:iam::111122223333:policy/boundaries/S3OnlyBoundary');
    assert.deepEqual(bot?.tags, { team: 'storage', 'cost-center': '42' });
    const role = snapshot.roles.find((r) => r.name === 'rclone-sync');
    assert.equal(role?.arn, 'arn:aws:iam::111122223333:role/jobs/nightly/rclone-sync');
    assert.deepEqual(role?.lastUsed, { date: '2026-11-26T02:03:04+00:00', region: 'eu-west-1' });
    assert.deepEqual(role?.assumeRolePolicyDocument, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    assert.equal(snapshot.roles.find((r) => r.name === 'ci-deployer')?.lastUsed, undefined);
  });

  test('keeps every managed policy version with its default flag', () => {
    const writer = snapshot.managedPolicies.find((p) => p.name === 'BackupWriter');
    assert.equal(writer?.defaultVersionId, 'v3');
    assert.deepEqual(
      writer?.versions.map((v) => [v.versionId, v.isDefaultVersion]),
      [
        ['v2', false],
        ['v3', true],
        ['v1', false],
      ],
    );
  });

  test('warns once, naming the policy and its users, about an attached AWS-managed policy the snapshot lacks', () => {
    const missing = warnings.filter((w) => w.code === 'snapshot.managedPolicyMissing');
    assert.equal(missing.length, 1);
    assert.equal(missing[0]?.policyArn, 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
    assert.match(
      missing[0]?.message ?? '',
      /AmazonS3ReadOnlyAccess .*used by group developers, role ci-deployer/,
    );
    assert.match(missing[0]?.message ?? '', /--filter AWSManagedPolicy/);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['snapshot.managedPolicyMissing'],
    );
  });
});

describe('parseAccountSnapshot on the raw API form', () => {
  test('URL-encoded documents split over pages give exactly the snapshot of the CLI form', () => {
    const cli = parsed(fixture('authz-cli.json'), 'same');
    const raw = parsed(fixture('authz-raw-pages.json'), 'same');
    assert.deepEqual(raw.snapshot, cli.snapshot);
    assert.deepEqual(raw.warnings, cli.warnings);
  });

  test('the raw fixture really carries URL-encoded strings and the decoded values keep spaces, + and %', () => {
    const pages = fixture('authz-raw-pages.json') as {
      RoleDetailList: { RolePolicyList: { PolicyDocument: unknown }[] }[];
    }[];
    const encoded = pages[0]?.RoleDetailList[0]?.RolePolicyList[0]?.PolicyDocument;
    assert.equal(typeof encoded, 'string');
    assert.match(String(encoded), /^%7B%22Version%22/);
    const { snapshot } = parsed(pages);
    const document = snapshot.roles[0]?.inlinePolicies[0]?.document as {
      Statement: { Condition?: { StringLike: Record<string, string[]> } }[];
    };
    assert.deepEqual(document.Statement[1]?.Condition?.StringLike['s3:prefix'], [
      'daily backups/*',
      'c++/*',
      '100%/*',
    ]);
  });

  test('warns when the last page says the listing is truncated', () => {
    const pages = fixture('authz-raw-pages.json') as Record<string, unknown>[];
    const { warnings } = parsed(pages.slice(0, 1));
    assert.ok(warnings.some((w) => w.code === 'snapshot.truncated'));
    // Every page, in any order: the set is whole when one of them says nothing follows.
    assert.ok(pages.length > 1);
    assert.deepEqual(
      parsed([...pages].reverse()).warnings.filter((w) => w.code === 'snapshot.truncated'),
      [],
    );
  });

  test('warns when the last page has the NextToken the AWS CLI prints for --max-items', () => {
    const cli = cliSnapshot();
    const { warnings } = parsed({
      ...cli,
      NextToken: 'eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==',
    });
    const truncated = warnings.filter((w) => w.code === 'snapshot.truncated');
    assert.equal(truncated.length, 1);
    assert.match(
      truncated[0]?.message ?? '',
      /the last page has a NextToken, so users, roles or policies are missing/,
    );
    assert.deepEqual(
      parsed({ ...cli, NextToken: '' }).warnings.filter((w) => w.code === 'snapshot.truncated'),
      [],
    );
  });

  test('a filtered call holding only AWS-managed policies parses, with no account to infer', () => {
    const { snapshot, warnings } = parsed({
      Policies: [cliSnapshot().Policies?.[2]],
      IsTruncated: false,
    });
    assert.equal(snapshot.managedPolicies[0]?.arn, 'arn:aws:iam::aws:policy/IAMUserChangePassword');
    assert.equal(snapshot.accountId, undefined);
    assert.deepEqual(warnings, []);
  });

  test('overlapping inputs keep the first copy of an entity', () => {
    const cli = cliSnapshot();
    const renamed = { ...(cli.UserDetailList?.[1] as Record<string, unknown>), Path: '/changed/' };
    const { snapshot } = parsed([cli, { UserDetailList: [renamed] }]);
    assert.equal(snapshot.users.length, 2);
    assert.equal(snapshot.users.find((u) => u.name === 'alice')?.path, '/');
  });
});

describe('parseAccountSnapshot on incomplete or inconsistent snapshots', () => {
  test('a policy version without its Document: the warning says there is none', () => {
    const cli = cliSnapshot();
    const policy = cli.Policies?.[0] as { PolicyVersionList: Record<string, unknown>[] };
    const versions = policy.PolicyVersionList.map(({ Document: _, ...version }) => version);
    const { warnings } = parsed({
      ...cli,
      Policies: [{ ...policy, PolicyVersionList: versions }, ...(cli.Policies ?? []).slice(1)],
    });
    const invalid = warnings.filter((w) => w.code === 'snapshot.policyDocumentInvalid');
    assert.ok(invalid.length > 0, warnings.map((w) => w.message).join(' | '));
    for (const w of invalid) {
      assert.match(w.message, /: the policy document cannot be read: there is no document$/);
      assert.doesNotMatch(w.message, /undefined/);
    }
  });

  test('warns about a group a user belongs to that the snapshot lacks', () => {
    const cli = cliSnapshot();
    const { warnings } = parsed({ ...cli, GroupDetailList: cli.GroupDetailList?.slice(0, 1) });
    const missing = warnings.filter((w) => w.code === 'snapshot.groupMissing');
    assert.equal(missing.length, 1);
    assert.match(missing[0]?.message ?? '', /user alice is in group developers/);
  });

  test('warns about a managed policy whose default version is not in its version list', () => {
    const cli = cliSnapshot();
    const writer = { ...(cli.Policies?.[0] as Record<string, unknown>), DefaultVersionId: 'v9' };
    const { warnings } = parsed({ ...cli, Policies: [writer, ...(cli.Policies?.slice(1) ?? [])] });
    const missing = warnings.find((w) => w.code === 'snapshot.defaultVersionMissing');
    assert.equal(missing?.policyArn, 'arn:aws:iam::111122223333:policy/BackupWriter');
    assert.match(missing?.message ?? '', /DefaultVersionId v9/);
  });

  test('keeps an undecodable inline document as it was, with a warning naming the policy', () => {
    const { snapshot, warnings } = parsed({
      UserDetailList: [
        {
          UserName: 'carol',
          Arn: 'arn:aws:iam::111122223333:user/carol',
          UserPolicyList: [{ PolicyName: 'broken', PolicyDocument: 'not a policy' }],
        },
      ],
    });
    assert.equal(snapshot.users[0]?.inlinePolicies[0]?.document, 'not a policy');
    assert.equal(snapshot.users[0]?.path, '/');
    assert.equal(warnings[0]?.code, 'snapshot.policyDocumentInvalid');
    assert.match(warnings[0]?.message ?? '', /UserDetailList\[0\] \(carol\): UserPolicyList\[0\] \(broken\)/);
  });

  test('skips entries without a name or ARN and says where they were', () => {
    const { snapshot, warnings } = parsed({
      RoleDetailList: [
        { RoleName: 'no-arn' },
        'junk',
        { RoleName: 'ok', Arn: 'arn:aws:iam::111122223333:role/ok' },
      ],
    });
    assert.deepEqual(
      snapshot.roles.map((r) => r.name),
      ['ok'],
    );
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message.replace(/:.*/, '')]),
      [
        ['snapshot.entryInvalid', 'authz.json'],
        ['snapshot.entryInvalid', 'authz.json'],
      ],
    );
    assert.match(warnings[0]?.message ?? '', /RoleDetailList\[0\]: RoleName and Arn must be strings/);
  });

  test('a managed policy without PolicyName (as moto returns it) takes its name from the ARN; one without Arn is skipped', () => {
    const document = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    const { snapshot, warnings } = parsed({
      Policies: [
        {
          Arn: 'arn:aws:iam::111122223333:policy/team/BackupWriter',
          DefaultVersionId: 'v1',
          PolicyVersionList: [{ Document: document, VersionId: 'v1', IsDefaultVersion: true }],
        },
        { PolicyName: 'NoArn', DefaultVersionId: 'v1', PolicyVersionList: [] },
      ],
    });
    assert.deepEqual(
      snapshot.managedPolicies.map((p) => [p.name, p.arn, p.versions.length]),
      [['BackupWriter', 'arn:aws:iam::111122223333:policy/team/BackupWriter', 1]],
    );
    assert.deepEqual(
      warnings.map((w) => w.message),
      ['authz.json: Policies[1]: a managed policy needs an Arn string; entry skipped'],
    );
  });
  test('warns when ARNs name more than one account', () => {
    const { snapshot, warnings } = parsed({
      UserDetailList: [
        { UserName: 'a', Arn: 'arn:aws:iam::111122223333:user/a' },
        { UserName: 'b', Arn: 'arn:aws:iam::444455556666:user/b' },
      ],
    });
    assert.equal(snapshot.accountId, '111122223333');
    assert.equal(warnings[0]?.code, 'snapshot.multipleAccounts');
  });
});

describe('parseAccountSnapshot rejects what is not authorization details', () => {
  test('an empty array of pages', () => {
    const result = parseAccountSnapshot([], 'authz.json');
    assert.deepEqual(result, {
      ok: false,
      code: 'snapshot.empty',
      message: 'authz.json: the array of pages is empty',
    });
  });

  test('a policy document passed by mistake, with a hint', () => {
    const result = parseAccountSnapshot({ Version: '2012-10-17', Statement: [] }, 'policy.json');
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.code, 'snapshot.notAuthorizationDetails');
    assert.match(result.ok ? '' : result.message, /policy\.json: .*single policy document/);
  });

  test('a list that is not an array, naming the page', () => {
    const result = parseAccountSnapshot([{ UserDetailList: [] }, { RoleDetailList: {} }], 'authz.json');
    assert.equal(result.ok ? '' : result.code, 'snapshot.invalidShape');
    assert.match(
      result.ok ? '' : result.message,
      /authz\.json: page 2: RoleDetailList must be an array, got an object/,
    );
  });

  test('a page that is not an object', () => {
    const result = parseAccountSnapshot('{"UserDetailList": []}', 'authz.json');
    assert.equal(result.ok ? '' : result.code, 'snapshot.invalidShape');
  });
});

test('isAwsManagedPolicyArn recognises the aws pseudo-account in any partition', () => {
  assert.equal(
    isAwsManagedPolicyArn('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
    true,
  );
  assert.equal(isAwsManagedPolicyArn('arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess'), true);
  assert.equal(isAwsManagedPolicyArn('arn:aws:iam::111122223333:policy/aws'), false);
});
