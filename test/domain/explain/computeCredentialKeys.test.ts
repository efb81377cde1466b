/**
 * The keys AWS adds to requests signed with the role credentials it delivers to an EC2 instance
 * (ec2:SourceInstanceARN, aws:EC2InstanceSourceVPC, aws:EC2InstanceSourcePrivateIPv4) or to a Lambda
 * function (lambda:SourceFunctionArn), which CloudTrail does not log: unknown for the sessions that may
 * hold such credentials, absent for other callers. A credential-perimeter Deny on them is named as the
 * likely cause of a refusal the visible policies allow, and not blamed for one they explain otherwise.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2instancesourcevpc
 * @see https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUnloggedKey, meetHint } from '../../../src/domain/explain/denyAdvice.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, backupUserContext, deniedObjectRecord, explainContext } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const EC2_KEYS = ['ec2:sourceinstancearn', 'aws:ec2instancesourcevpc', 'aws:ec2instancesourceprivateipv4'];
const LAMBDA_KEY = 'lambda:sourcefunctionarn';

/** A request context of `entries` (lower-case keys) as the engine gives it to isUnloggedKey. */
function contextOf(entries: Record<string, string>) {
  return {
    present: (key: string) => entries[key] !== undefined,
    valuesOf: (key: string) => (entries[key] === undefined ? [] : [entries[key]!]),
  };
}

const unknownIn = (key: string, entries: Record<string, string>): boolean => {
  const { present, valuesOf } = contextOf(entries);
  return isUnloggedKey(key, 's3:getobject', present, valuesOf);
};

const instanceSession = {
  'aws:principaltype': 'AssumedRole',
  'aws:userid': 'AROAEXAMPLE:i-0abc1234def567890',
};
const ec2Delivered = { ...instanceSession, 'ec2:roledelivery': '2.0' };
const functionSession = { 'aws:principaltype': 'AssumedRole', 'aws:userid': 'AROAEXAMPLE:ingest' };
const user = { 'aws:principaltype': 'User', 'aws:userid': 'AIDAEXAMPLE' };

describe('isUnloggedKey: the keys of EC2 instance and Lambda role credentials', () => {
  test("an EC2 instance's session (ec2RoleDelivery, or named by its instance ID): its instance's keys unknown", () => {
    for (const key of EC2_KEYS) {
      assert.equal(unknownIn(key, ec2Delivered), true, key);
      assert.equal(unknownIn(key, instanceSession), true, key);
    }
    // The record shows which metadata service delivered them: ec2:RoleDelivery is read, not unknown.
    assert.equal(unknownIn('ec2:roledelivery', ec2Delivered), false);
    assert.equal(unknownIn('ec2:roledelivery', instanceSession), true);
  });

  test("a Lambda function may hold any other role session: lambda:SourceFunctionArn unknown for it, absent for an EC2 instance's", () => {
    assert.equal(unknownIn(LAMBDA_KEY, functionSession), true);
    assert.equal(unknownIn(LAMBDA_KEY, ec2Delivered), false);
    for (const key of EC2_KEYS) assert.equal(unknownIn(key, functionSession), false, key);
  });

  test('absent for callers that hold no role session: an IAM user, the root user, an AWS service', () => {
    for (const key of [...EC2_KEYS, LAMBDA_KEY, 'ec2:roledelivery']) {
      assert.equal(unknownIn(key, user), false, key);
      assert.equal(unknownIn(key, { 'aws:principaltype': 'Account', 'aws:userid': ACCOUNT }), false, key);
      assert.equal(unknownIn(key, { 'aws:principalisawsservice': 'true' }), false, key);
    }
  });

  test('unknown when the context does not say who the caller is', () => {
    for (const key of [...EC2_KEYS, LAMBDA_KEY]) {
      assert.equal(unknownIn(key, {}), true, key);
      assert.equal(unknownIn(key, { 'aws:principaltype': 'AssumedRole' }), true, key);
    }
  });

  test('the advice for a Deny that refused for want of one says where AWS adds it and that CloudTrail does not log it', () => {
    const ec2 = meetHint('aws:ec2instancesourcevpc');
    assert.match(ec2, /role credentials of an EC2 instance/);
    assert.match(ec2, /CloudTrail does not log them/);
    const lambda = meetHint(LAMBDA_KEY);
    assert.match(lambda, /code of a Lambda function/);
    assert.match(lambda, /CloudTrail does not log it/);
    assert.match(lambda, /permissions-source-function-arn\.html/);
  });
});

/** A role `name` (path `path`) with one inline policy of `statements`. */
function roleContext(name: string, path: string, roleId: string, statements: readonly unknown[]) {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [
        {
          RoleName: name,
          RoleId: roleId,
          Arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
          Path: path,
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
          AttachedManagedPolicies: [],
          RolePolicyList: [
            { PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
          ],
        },
      ],
      Policies: [],
    },
    'test',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return explainContext({ snapshot: parsed.snapshot });
}

/** A refused call of `action` on `bucket/key` by session `session` of role `name`, with `reason` in AWS's message. */
function sessionRecord(
  name: string,
  path: string,
  roleId: string,
  session: string,
  action: string,
  bucket: string,
  key: string,
  reason: string,
  sessionContext: Record<string, unknown> = {},
): Record<string, unknown> {
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`;
  return deniedObjectRecord(action.replace('s3:', ''), action, bucket, key, {
    userIdentity: {
      type: 'AssumedRole',
      principalId: `${roleId}:${session}`,
      arn,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
          accountId: ACCOUNT,
          userName: name,
        },
        attributes: { creationDate: '2026-11-27T09:00:00Z', mfaAuthenticated: 'false' },
        ...sessionContext,
      },
    },
    errorMessage: `User: ${arn} is not authorized to perform: ${action} on resource: "arn:aws:s3:::${bucket}/${key}" ${reason}`,
  });
}

const ASSETS = {
  Sid: 'Assets',
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::app-assets/*',
};
/** AWS's credential perimeter for EC2 instance credentials. */
const ONLY_IN_THEIR_VPC = {
  Sid: 'EC2CredsOnlyInTheirVPC',
  Effect: 'Deny',
  Action: '*',
  Resource: '*',
  Condition: {
    StringNotEquals: { 'aws:ec2InstanceSourceVPC': 'vpc-0a1b2c3d4e5f67890' },
    Null: { 'ec2:SourceInstanceARN': 'false' },
  },
};

describe('explain: a credential-perimeter Deny on the keys of EC2 instance credentials', () => {
  const instanceRead = () =>
    sessionRecord(
      'web-app',
      '/',
      'AROAWEBAPPEXAMPLE',
      'i-0abc1234def567890',
      's3:GetObject',
      'app-assets',
      'static/logo.png',
      'with an explicit deny in an identity-based policy',
      { ec2RoleDelivery: '2.0' },
    );

  test("an instance's session refused with an explicit deny: the Deny is named as the likely cause, not an out-of-date snapshot", () => {
    const report = explainTexts(
      text(instanceRead()),
      roleContext('web-app', '/', 'AROAWEBAPPEXAMPLE', [ASSETS, ONLY_IN_THEIR_VPC]),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"EC2CredsOnlyInTheirVPC"') &&
          c.includes('the VPC of the EC2 instance whose role credentials signed the request') &&
          c.includes('which CloudTrail does not log') &&
          c.includes('that is likely what refused it'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('may be out of date')), finding?.caveats.join(' | '));
  });

  test('the same Deny in a given SCP is named, not a level that was not given', () => {
    const scp = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'EC2CredsInOwnVPC',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringNotEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' },
            Null: { 'ec2:SourceInstanceARN': 'false' },
            BoolIfExists: { 'aws:ViaAWSService': 'false' },
          },
        },
      ],
    };
    const record = sessionRecord(
      'web-app',
      '/',
      'AROAWEBAPPEXAMPLE',
      'i-0abc1234def567890',
      's3:GetObject',
      'app-assets',
      'static/logo.png',
      'with an explicit deny in a service control policy',
      { ec2RoleDelivery: '2.0' },
    );
    const context = {
      ...roleContext('web-app', '/', 'AROAWEBAPPEXAMPLE', [ASSETS]),
      scpLevels: [[{ name: 'scp.json', document: scp }]],
    };
    const finding = explainTexts(text(record), context).findings[0];
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"EC2CredsInOwnVPC"') &&
          c.includes('explicit Deny in the service control policies') &&
          c.includes('that is likely what refused it'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('a level not given')), finding?.caveats.join(' | '));
  });

  test("ec2:RoleDelivery is read from the record's ec2RoleDelivery: AWS's IMDSv2-only Deny refuses an IMDSv1 session alone", () => {
    const v2Only = {
      Sid: 'RequireAllEc2RolesToUseV2',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { NumericLessThan: { 'ec2:RoleDelivery': '2.0' } },
    };
    const read = (delivery: string) =>
      sessionRecord(
        'web-app',
        '/',
        'AROAWEBAPPEXAMPLE',
        'i-0abc1234def567890',
        's3:GetObject',
        'app-assets',
        'static/logo.png',
        'with an explicit deny in an identity-based policy',
        { ec2RoleDelivery: delivery },
      );
    const context = roleContext('web-app', '/', 'AROAWEBAPPEXAMPLE', [ASSETS, v2Only]);
    const v1 = explainTexts(text(read('1.0')), context).findings[0];
    assert.deepEqual(
      v1?.deniedBy.map((d) => d.sid),
      ['RequireAllEc2RolesToUseV2'],
    );
    const v2 = explainTexts(text(read('2.0')), context).findings[0];
    assert.deepEqual(v2?.deniedBy, []);
  });

  test("an IAM user's request never carries them: the perimeter does not apply, and one requiring them refuses it", () => {
    const requireInstance = {
      Sid: 'OnlyFromInstances',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Null: { 'ec2:SourceInstanceARN': 'true' } },
    };
    const read = () => deniedObjectRecord('GetObject', 's3:GetObject', 'app-assets', 'static/logo.png');
    const perimeter = explainTexts(text(read()), backupUserContext([ONLY_IN_THEIR_VPC])).findings[0];
    assert.equal(perimeter?.cause, 'identity-missing-allow');
    assert.ok(!perimeter?.caveats.some((c) => c.includes('EC2CredsOnlyInTheirVPC')));
    const required = explainTexts(text(read()), backupUserContext([ASSETS, requireInstance])).findings[0];
    assert.equal(required?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      required?.deniedBy.map((d) => d.sid),
      ['OnlyFromInstances'],
    );
    assert.ok(
      required?.caveats.some((c) => c.includes('the role credentials of an EC2 instance')),
      required?.caveats.join(' | '),
    );
  });
});

describe('explain: a Deny on lambda:SourceFunctionArn', () => {
  const ONLY_FROM_THE_FUNCTION = {
    Sid: 'OnlyFromTheFunction',
    Effect: 'Deny',
    Action: 's3:*',
    Resource: '*',
    Condition: {
      ArnNotEquals: { 'lambda:SourceFunctionArn': `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ingest` },
    },
  };
  const WRITE_RAW = {
    Sid: 'WriteRaw',
    Effect: 'Allow',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::lake/raw/*',
  };

  test("a function's session refused for want of an Allow is not blamed on it: the fix is proposed, the Deny named", () => {
    const record = sessionRecord(
      'ingest-role',
      '/service-role/',
      'AROAINGESTEXAMPLE',
      'ingest',
      's3:PutObject',
      'lake',
      'curated/2026/11/28/part-0.json',
      'because no identity-based policy allows the s3:PutObject action',
    );
    const context = roleContext('ingest-role', '/service-role/', 'AROAINGESTEXAMPLE', [
      WRITE_RAW,
      ONLY_FROM_THE_FUNCTION,
    ]);
    const finding = explainTexts(text(record), context).findings[0];
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.deepEqual(finding?.deniedBy, []);
    assert.ok(finding?.fix !== null && finding?.fix !== undefined);
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"OnlyFromTheFunction"') &&
          c.includes('the ARN of the Lambda function whose execution role') &&
          c.includes('CloudTrail does not log that key'),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test("an EC2 instance's session never carries it: the same Deny refuses it", () => {
    const record = sessionRecord(
      'ingest-role',
      '/service-role/',
      'AROAINGESTEXAMPLE',
      'i-0abc1234def567890',
      's3:PutObject',
      'lake',
      'raw/part-0.json',
      'with an explicit deny in an identity-based policy',
      { ec2RoleDelivery: '2.0' },
    );
    const context = roleContext('ingest-role', '/service-role/', 'AROAINGESTEXAMPLE', [
      WRITE_RAW,
      ONLY_FROM_THE_FUNCTION,
    ]);
    const finding = explainTexts(text(record), context).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['OnlyFromTheFunction'],
    );
    assert.ok(
      finding?.caveats.some((c) => c.includes('code of a Lambda function')),
      finding?.caveats.join(' | '),
    );
  });
});
