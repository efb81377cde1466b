import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  hasAllowStatement,
  parseRcpFile,
  parseScpFile,
  RCP_FULL_AWS_ACCESS,
  withRcpFullAwsAccess,
} from '../../../src/domain/snapshot/controlPolicies.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/snapshot/${name}`, import.meta.url), 'utf8'));

const FULL_ACCESS_ARN = 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess';

describe('parseScpFile', () => {
  test('a bare policy document is one level holding one policy named after the file', () => {
    const document = fixture('scp-bare-protect-backups.json');
    const result = parseScpFile(document, 'protect.json');
    assert.deepEqual(result, { ok: true, levels: [[{ name: 'protect.json', document }]] });
  });

  test('describe-policy output gives the policy name, ARN and the document parsed from Content', () => {
    const result = parseScpFile(fixture('scp-describe-full-access.json'), 'full.json');
    assert.deepEqual(result, {
      ok: true,
      levels: [
        [
          {
            name: 'FullAWSAccess',
            arn: FULL_ACCESS_ARN,
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        ],
      ],
    });
  });

  test('the Policy member of describe-policy output saved on its own is accepted too', () => {
    const described = fixture('scp-describe-full-access.json') as { Policy: unknown };
    const result = parseScpFile(described.Policy, 'policy.json');
    assert.equal(result.ok && result.levels[0]?.[0]?.name, 'FullAWSAccess');
  });

  test('an array of levels mixes describe-policy output, bare documents and arrays of them', () => {
    const result = parseScpFile(fixture('scp-levels.json'), 'levels.json');
    assert.ok(result.ok);
    assert.deepEqual(
      result.levels.map((level) => level.map((p) => p.name)),
      [['FullAWSAccess'], ['WorkloadsAllowList', 'levels.json[1][1]'], ['levels.json[2]']],
    );
    const allowList = result.levels[1]?.[0];
    assert.match(allowList?.arn ?? '', /^arn:aws:organizations::999988887777:policy\/o-a1b2c3d4e5\//);
    const statements = (allowList?.document as { Statement?: { Sid: string }[] } | undefined)?.Statement;
    assert.equal(statements?.[0]?.Sid, 'AllowedServices');
  });

  test('an RCP passed as an SCP is rejected with a pointer to the right option', () => {
    const result = parseScpFile(fixture('rcp-describe-full-access.json'), 'rcp.json');
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.wrongType');
    assert.match(
      result.ok ? '' : result.message,
      /RCPFullAWSAccess is of type RESOURCE_CONTROL_POLICY.*pass it as an RCP/,
    );
  });

  test('other Organizations policy types (tag policies) are rejected', () => {
    const result = parseScpFile(
      { Policy: { PolicySummary: { Name: 'CostCenterTags', Type: 'TAG_POLICY' }, Content: '{"tags":{}}' } },
      'tags.json',
    );
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.wrongType');
  });

  test('empty files and empty levels are errors, because an empty level would deny everything', () => {
    assert.equal(parseScpFile([], 'scp.json').ok ? '' : 'rejected', 'rejected');
    const emptyLevel = parseScpFile([fixture('scp-describe-full-access.json'), []], 'scp.json');
    assert.equal(emptyLevel.ok ? '' : emptyLevel.code, 'controlPolicy.emptyLevel');
    assert.match(emptyLevel.ok ? '' : emptyLevel.message, /^scp\.json\[1\]: a level with no SCP/);
  });

  test('Content that is not JSON is controlPolicy.invalidContent', () => {
    const result = parseScpFile(
      { Policy: { PolicySummary: { Name: 'x' }, Content: '{"Statement": [' } },
      'x.json',
    );
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.invalidContent');
  });

  test('an account snapshot given as an SCP is named as one, for --account-snapshot', () => {
    const result = parseScpFile(
      { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] },
      'authz.json',
    );
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.invalidShape');
    assert.match(
      result.ok ? '' : result.message,
      /^authz\.json: this looks like get-account-authorization-details output .* goes to --account-snapshot/,
    );
  });

  test('list-policies output (summaries without content) is controlPolicy.noContent with advice', () => {
    const result = parseScpFile(
      { Policies: [{ Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' }] },
      'list.json',
    );
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.noContent');
    assert.match(result.ok ? '' : result.message, /describe-policy --policy-id/);
  });

  test('objects that are no policy at all, and scalars, are controlPolicy.invalidShape naming the place', () => {
    const object = parseScpFile([{ Effect: 'Allow' }], 'scp.json');
    assert.equal(object.ok ? '' : object.code, 'controlPolicy.invalidShape');
    assert.match(object.ok ? '' : object.message, /^scp\.json\[0\]: neither an SCP document/);
    const scalar = parseScpFile([[42]], 'scp.json');
    assert.match(scalar.ok ? '' : scalar.message, /^scp\.json\[0\]\[0\]: .* got a number/);
  });
});

describe('parseRcpFile', () => {
  test('reads describe-policy output of an RCP', () => {
    const result = parseRcpFile(fixture('rcp-describe-full-access.json'), 'rcp.json');
    assert.ok(result.ok);
    assert.equal(result.levels[0]?.[0]?.name, 'RCPFullAWSAccess');
    assert.equal(
      result.levels[0]?.[0]?.arn,
      'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
    );
  });

  test('rejects an SCP, naming the expected type', () => {
    const result = parseRcpFile(fixture('scp-describe-full-access.json'), 'scp.json');
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.wrongType');
    assert.match(result.ok ? '' : result.message, /not RESOURCE_CONTROL_POLICY; pass it as an SCP/);
  });
});

describe('the kind of a control policy', () => {
  const bucketPolicyLike = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
  const scpLike = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
  };

  test('a document whose statements name a Principal is refused as an SCP, and one without is refused as an RCP', () => {
    const asScp = parseScpFile(bucketPolicyLike, 'rcp.json');
    assert.equal(asScp.ok, false);
    assert.match(
      asScp.ok ? '' : asScp.message,
      /^rcp\.json: every statement names a Principal, which an SCP cannot/,
    );
    const asRcp = parseRcpFile(scpLike, 'scp.json');
    assert.equal(asRcp.ok, false);
    assert.match(asRcp.ok ? '' : asRcp.message, /no statement names a Principal.*give it with --scp/);
    assert.equal(parseScpFile(scpLike, 'scp.json').ok, true);
    assert.equal(parseRcpFile(bucketPolicyLike, 'rcp.json').ok, true);
  });

  test('each RCP level is taken with RCPFullAWSAccess, which AWS attaches everywhere', () => {
    const parsed = parseRcpFile(bucketPolicyLike, 'rcp.json');
    assert.ok(parsed.ok);
    const levels = withRcpFullAwsAccess(parsed.levels);
    assert.deepEqual(
      levels.map((level) => level.map((p) => p.name)),
      [['rcp.json', 'RCPFullAWSAccess (attached by AWS at every level)']],
    );
    // A level that already holds it is kept as it is.
    assert.deepEqual(withRcpFullAwsAccess(levels), levels);
    assert.equal(hasAllowStatement(RCP_FULL_AWS_ACCESS.document), true);
    assert.equal(hasAllowStatement(bucketPolicyLike), false);
  });
});
