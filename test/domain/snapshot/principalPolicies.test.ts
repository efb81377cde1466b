import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  managedPolicyByArn,
  policiesForPrincipal,
  userOrRoleByArn,
} from '../../../src/domain/snapshot/principalPolicies.js';
import type { AccountSnapshot, PrincipalSelector } from '../../../src/domain/snapshot/types.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/snapshot/${name}`, import.meta.url), 'utf8'));

function load(json: unknown): AccountSnapshot {
  const result = parseAccountSnapshot(json, 'authz.json');
  assert.ok(result.ok);
  return result.snapshot;
}

const snapshot = load(fixture('authz-cli.json'));
const ACCOUNT = '111122223333';

function found(who: PrincipalSelector, from: AccountSnapshot = snapshot) {
  const result = policiesForPrincipal(from, who);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

function statementSids(document: unknown): string[] {
  const { Statement } = document as { Statement: { Sid?: string }[] };
  return Statement.map((s) => s.Sid ?? '');
}

describe('policiesForPrincipal for IAM users', () => {
  const bot = found({ kind: 'user', name: 'backup-bot' });

  test('lists the user inline and attached policies, then those of each group, each labelled with its holder', () => {
    assert.deepEqual(
      bot.identityPolicies.map((p) => [
        p.name,
        p.kind,
        p.managedBy ?? '-',
        p.attachedTo.kind,
        p.attachedTo.name,
      ]),
      [
        ['backup-bot-list-bucket', 'inline', '-', 'user', 'backup-bot'],
        ['BackupWriter', 'managed', 'customer', 'user', 'backup-bot'],
        ['operators-read-backups', 'inline', '-', 'group', 'backup-operators'],
      ],
    );
    assert.equal(bot.identityPolicies[2]?.attachedTo.arn, `arn:aws:iam::${ACCOUNT}:group/backup-operators`);
    assert.equal(bot.identityPolicies[0]?.arn, undefined);
  });

  test('resolves a managed policy to its default version and ignores the other versions', () => {
    const writer = bot.identityPolicies.find((p) => p.name === 'BackupWriter');
    assert.equal(writer?.versionId, 'v3');
    assert.equal(writer?.arn, `arn:aws:iam::${ACCOUNT}:policy/BackupWriter`);
    assert.deepEqual(statementSids(writer?.document), ['WriteBackups']);
    const sids = bot.identityPolicies.flatMap((p) => statementSids(p.document));
    assert.ok(!sids.includes('TooBroad'), 'the non-default v2 (s3:* on *) must not be evaluated');
  });

  test('returns the permissions boundary separately, with the user ARN, path and tags', () => {
    assert.equal(bot.permissionsBoundary?.name, 'S3OnlyBoundary');
    assert.equal(bot.permissionsBoundary?.versionId, 'v1');
    assert.deepEqual(statementSids(bot.permissionsBoundary?.document), ['S3Only', 'WhoAmI']);
    assert.equal(bot.principalArn, `arn:aws:iam::${ACCOUNT}:user/service/backup-bot`);
    assert.deepEqual(bot.principal, { kind: 'user', name: 'backup-bot', arn: bot.principalArn });
    assert.deepEqual(bot.tags, { team: 'storage', 'cost-center': '42' });
    assert.deepEqual(bot.missingPolicies, []);
    assert.deepEqual(bot.warnings, []);
  });

  test('walks groups in GroupList order and reports the AWS-managed policy the snapshot lacks', () => {
    const alice = found({ arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
    assert.deepEqual(
      alice.identityPolicies.map((p) => [p.name, p.managedBy ?? '-', p.attachedTo.name]),
      [
        ['IAMUserChangePassword', 'aws', 'alice'],
        ['operators-read-backups', '-', 'backup-operators'],
      ],
    );
    assert.deepEqual(alice.missingPolicies, [
      {
        arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        name: 'AmazonS3ReadOnlyAccess',
        usage: 'identity',
        attachedTo: { kind: 'group', name: 'developers', arn: `arn:aws:iam::${ACCOUNT}:group/developers` },
      },
    ]);
    assert.equal(alice.warnings[0]?.code, 'snapshot.managedPolicyMissing');
    assert.equal(alice.permissionsBoundary, undefined);
  });

  test('finds a user by ARN whatever the path, and by name whatever the case', () => {
    assert.equal(
      found({ arn: `arn:aws:iam::${ACCOUNT}:user/service/backup-bot` }).principal.name,
      'backup-bot',
    );
    assert.equal(found({ arn: `arn:aws:iam::${ACCOUNT}:user/backup-bot` }).principal.name, 'backup-bot');
    assert.equal(found({ kind: 'user', name: 'Backup-Bot' }).principal.name, 'backup-bot');
  });
});

describe('policiesForPrincipal for roles', () => {
  const byName = found({ kind: 'role', name: 'rclone-sync' });

  test('finds a role with a path by its bare name and returns the ARN with the path', () => {
    assert.equal(byName.principalArn, `arn:aws:iam::${ACCOUNT}:role/jobs/nightly/rclone-sync`);
    assert.deepEqual(
      byName.identityPolicies.map((p) => [p.name, p.kind, p.versionId ?? '-']),
      [
        ['rclone-sync-objects', 'inline', '-'],
        ['BackupWriter', 'managed', 'v3'],
      ],
    );
    assert.equal(byName.permissionsBoundary?.attachedTo.name, 'rclone-sync');
    assert.deepEqual(byName.tags, { job: 'nightly-sync' });
  });

  test('role ARNs with or without path and assumed-role session ARNs all give the same policies', () => {
    for (const arn of [
      `arn:aws:iam::${ACCOUNT}:role/jobs/nightly/rclone-sync`,
      `arn:aws:iam::${ACCOUNT}:role/rclone-sync`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/rclone-sync/i-0abc123def4567890`,
    ]) {
      assert.deepEqual(found({ arn }), byName, arn);
    }
  });

  test('resolves an Identity Center permission-set role from its session ARN', () => {
    const sso = found({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_DataEngineer_0123456789abcdef/jane@example.com`,
    });
    assert.match(
      sso.principalArn,
      /:role\/aws-reserved\/sso\.amazonaws\.com\/eu-west-1\/AWSReservedSSO_DataEngineer_/,
    );
    assert.deepEqual(
      sso.identityPolicies.map((p) => p.name),
      ['AwsSSOInlinePolicy'],
    );
  });

  test('a role whose only policy is missing has no identity policies and says what is missing', () => {
    const ci = found({ kind: 'role', name: 'ci-deployer' });
    assert.deepEqual(ci.identityPolicies, []);
    assert.deepEqual(
      ci.missingPolicies.map((m) => [m.name, m.usage, m.attachedTo.kind]),
      [['AmazonS3ReadOnlyAccess', 'identity', 'role']],
    );
    assert.match(
      ci.warnings[0]?.message ?? '',
      /managed policy AmazonS3ReadOnlyAccess .* of role ci-deployer is not in the snapshot/,
    );
  });

  test('a boundary missing from the snapshot is reported as missing, never as "no boundary"', () => {
    const cli = fixture('authz-cli.json') as { Policies: { PolicyName: string }[] };
    const withoutBoundary = load({
      ...cli,
      Policies: cli.Policies.filter((p) => p.PolicyName !== 'S3OnlyBoundary'),
    });
    const role = found({ kind: 'role', name: 'rclone-sync' }, withoutBoundary);
    assert.equal(role.permissionsBoundary, undefined);
    assert.deepEqual(role.missingPolicies, [
      {
        arn: `arn:aws:iam::${ACCOUNT}:policy/boundaries/S3OnlyBoundary`,
        name: 'S3OnlyBoundary',
        usage: 'permissions-boundary',
        attachedTo: byName.principal,
      },
    ]);
    assert.match(role.warnings[0]?.message ?? '', /permissions boundary S3OnlyBoundary/);
  });
});

describe('policiesForPrincipal on the raw API form', () => {
  test('gives the same result as the CLI form for every user and role', () => {
    const raw = load(fixture('authz-raw-pages.json'));
    const selectors: PrincipalSelector[] = [
      ...snapshot.users.map((u) => ({ kind: 'user' as const, name: u.name })),
      ...snapshot.roles.map((r) => ({ kind: 'role' as const, name: r.name })),
    ];
    assert.equal(selectors.length, 5);
    for (const who of selectors) {
      assert.deepEqual(
        policiesForPrincipal(raw, who),
        policiesForPrincipal(snapshot, who),
        JSON.stringify(who),
      );
    }
  });
});

describe('policiesForPrincipal failures are values', () => {
  const failure = (who: PrincipalSelector) => {
    const result = policiesForPrincipal(snapshot, who);
    assert.equal(result.ok, false);
    return result.ok ? { code: '', message: '' } : result;
  };

  test('an unknown principal is snapshot.principalNotFound, naming it', () => {
    const byName = failure({ kind: 'role', name: 'deleted-role' });
    assert.equal(byName.code, 'snapshot.principalNotFound');
    assert.match(byName.message, /no role deleted-role in the snapshot/);
    // An old record's caller was most likely deleted since: that comes first.
    assert.match(
      byName.message,
      /in the snapshot; it may have been deleted since the event \(likely, for an old record\), created after the snapshot was taken, or left out by a filter \(--filter User Role Group\)$/,
    );
    const bySession = failure({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deleted-role/s1` });
    assert.match(
      bySession.message,
      /no role deleted-role \(from arn:aws:sts::111122223333:assumed-role\/deleted-role\/s1\)/,
    );
  });

  test('a user name is not found among roles', () => {
    assert.equal(failure({ kind: 'role', name: 'alice' }).code, 'snapshot.principalNotFound');
  });

  test('an ARN from another account is snapshot.accountMismatch', () => {
    const result = failure({ arn: 'arn:aws:iam::444455556666:role/rclone-sync' });
    assert.equal(result.code, 'snapshot.accountMismatch');
    assert.match(result.message, /444455556666.*111122223333/);
  });

  test('root, federated users and groups are unsupported principals with a reason', () => {
    assert.equal(failure({ arn: `arn:aws:iam::${ACCOUNT}:root` }).code, 'snapshot.unsupportedPrincipal');
    const federated = failure({ arn: `arn:aws:sts::${ACCOUNT}:federated-user/backup-session` });
    assert.equal(federated.code, 'snapshot.unsupportedPrincipal');
    assert.match(federated.message, /IAM user that created it/);
    assert.equal(
      failure({ arn: `arn:aws:iam::${ACCOUNT}:group/developers` }).code,
      'snapshot.unsupportedPrincipal',
    );
  });

  test('strings that are not principal ARNs are snapshot.invalidArn', () => {
    assert.equal(failure({ arn: 'backup-bot' }).code, 'snapshot.invalidArn');
    assert.equal(failure({ arn: 'arn:aws:s3:::acme-backups' }).code, 'snapshot.invalidArn');
    assert.equal(
      failure({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/rclone-sync` }).code,
      'snapshot.invalidArn',
    );
  });
});

describe('managedPolicyByArn', () => {
  test('returns the default version document, its id and every version id', () => {
    const result = managedPolicyByArn(snapshot, `arn:aws:iam::${ACCOUNT}:policy/BackupWriter`);
    assert.ok(result.ok);
    assert.equal(result.policy.versionId, 'v3');
    assert.deepEqual(result.policy.versionIds, ['v2', 'v3', 'v1']);
    assert.deepEqual(statementSids(result.policy.document), ['WriteBackups']);
    assert.equal(result.policy.managedBy, 'customer');
    assert.equal(result.policy.path, '/');
  });

  test('knows AWS-managed policies that are in the snapshot', () => {
    const result = managedPolicyByArn(snapshot, 'arn:aws:iam::aws:policy/IAMUserChangePassword');
    assert.equal(result.ok && result.policy.managedBy, 'aws');
    assert.equal(result.ok && result.policy.versionId, 'v2');
  });

  test('a policy absent from the snapshot is snapshot.managedPolicyMissing', () => {
    const result = managedPolicyByArn(snapshot, 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
    assert.equal(result.ok ? '' : result.code, 'snapshot.managedPolicyMissing');
  });

  test('a policy without its default version is snapshot.defaultVersionMissing', () => {
    const cli = fixture('authz-cli.json') as { Policies: Record<string, unknown>[] };
    const trimmed = load({
      Policies: cli.Policies.map((p) =>
        p.PolicyName === 'BackupWriter'
          ? { ...p, PolicyVersionList: (p.PolicyVersionList as unknown[]).slice(0, 1) }
          : p,
      ),
    });
    const result = managedPolicyByArn(trimmed, `arn:aws:iam::${ACCOUNT}:policy/BackupWriter`);
    assert.equal(result.ok ? '' : result.code, 'snapshot.defaultVersionMissing');
  });

  test('without DefaultVersionId, the version flagged IsDefaultVersion is used', () => {
    const cli = fixture('authz-cli.json') as { Policies: Record<string, unknown>[] };
    const writer = { ...cli.Policies[0] };
    delete writer.DefaultVersionId;
    const result = managedPolicyByArn(
      load({ Policies: [writer] }),
      `arn:aws:iam::${ACCOUNT}:policy/BackupWriter`,
    );
    assert.equal(result.ok && result.policy.versionId, 'v3');
  });
});

describe('a user or role whose snapshot Arn is not an ARN', () => {
  const broken = () => {
    const pages = fixture('authz-cli.json') as Record<string, Record<string, unknown>[]>;
    const roles = pages.RoleDetailList!.map((r) => (r.RoleName === 'rclone-sync' ? { ...r, Arn: '?' } : r));
    const users = pages.UserDetailList!.map((u) =>
      u.UserName === 'backup-bot' ? { ...u, Arn: 'Allow' } : u,
    );
    const result = parseAccountSnapshot(
      { ...pages, RoleDetailList: roles, UserDetailList: users },
      'authz.json',
    );
    assert.ok(result.ok);
    return result;
  };

  test('is warned of, and its Arn is not kept as an ARN', () => {
    const { snapshot: parsed, warnings } = broken();
    assert.deepEqual(
      warnings.filter((w) => w.code === 'snapshot.entryArnInvalid').map((w) => w.message),
      [
        'authz.json: UserDetailList[0] (backup-bot): Arn "Allow" is not an IAM user ARN (arn:aws:iam::ACCOUNT:user/PATH/NAME), so it is not used: the user is found by its name, and a fix names it by the ARN the event gives',
        'authz.json: RoleDetailList[0] (rclone-sync): Arn "?" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME), so it is not used: the role is found by its name, and a fix names it by the ARN the event gives',
      ],
    );
    const role = parsed.roles.find((r) => r.name === 'rclone-sync');
    assert.ok(role !== undefined && !role.arn.startsWith('arn:') && role.arn !== '?', role?.arn);
    assert.equal(parsed.accountId, ACCOUNT);
  });

  test("its policies are found by name, and its ARN is the event's: a session's rebuilt as the role's, with the snapshot's path", () => {
    const { snapshot: parsed } = broken();
    const session = found({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/rclone-sync/nightly` }, parsed);
    assert.equal(session.principalArn, `arn:aws:iam::${ACCOUNT}:role/jobs/nightly/rclone-sync`);
    assert.equal(session.principal.arn, session.principalArn);
    assert.ok(session.identityPolicies.length > 0);
    const user = found({ arn: `arn:aws:iam::${ACCOUNT}:user/service/backup-bot` }, parsed);
    assert.equal(user.principalArn, `arn:aws:iam::${ACCOUNT}:user/service/backup-bot`);
    // The fix step looks the principal up by that ARN.
    assert.equal(userOrRoleByArn(parsed, session.principalArn)?.name, 'rclone-sync');
    assert.equal(userOrRoleByArn(parsed, user.principalArn)?.name, 'backup-bot');
    // A well-formed entity is not found under another ARN by its name.
    assert.equal(userOrRoleByArn(parsed, `arn:aws:iam::${ACCOUNT}:role/other/ci-deployer`), undefined);
  });
});
