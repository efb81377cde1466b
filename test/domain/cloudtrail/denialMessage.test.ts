import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  parseCanonical,
  parseDenialMessage,
  parseDenialMessageText,
} from '../../../src/domain/cloudtrail/denialMessage.js';
import type { MessagePolicyType } from '../../../src/domain/cloudtrail/types.js';

interface MessageCase {
  readonly name: string;
  readonly source: string;
  readonly text: string;
  readonly expected: Record<string, unknown> | 'unrecognised';
}

const { cases } = JSON.parse(
  readFileSync(new URL('../../fixtures/cloudtrail/denialMessages.json', import.meta.url), 'utf8'),
) as { cases: MessageCase[] };

describe('parseDenialMessage on quoted AccessDenied messages', () => {
  for (const c of cases) {
    test(c.name, () => {
      const expected = c.expected === 'unrecognised' ? { form: 'unrecognised', text: c.text } : c.expected;
      assert.deepEqual(parseDenialMessage(c.text), expected);
    });
  }
});

describe('parseDenialMessage without a message', () => {
  test('an absent errorMessage is treated like the legacy message', () => {
    assert.deepEqual(parseDenialMessage(undefined), { form: 'legacy' });
  });

  test('every policy type the contract names is produced by at least one quoted case', () => {
    const produced = new Set(
      cases.map((c) => {
        const parsed = parseDenialMessage(c.text);
        return parsed.form === 'enhanced' ? parsed.policyType : undefined;
      }),
    );
    const all: readonly MessagePolicyType[] = [
      'identity',
      'resource',
      'permissions-boundary',
      'session',
      'scp',
      'rcp',
      'vpc-endpoint',
    ];
    for (const type of all) {
      assert.ok(produced.has(type), `no quoted case yields ${type}`);
    }
  });

  test('every S3 setting the contract names is produced by at least one quoted case', () => {
    const produced = new Set(
      cases.map((c) => {
        const parsed = parseDenialMessage(c.text);
        return parsed.form === 'setting' ? parsed.setting : undefined;
      }),
    );
    for (const setting of [
      'BlockPublicPolicy',
      'BlockPublicAcls',
      'BlockedEncryptionTypes',
      'ObjectLock',
    ] as const)
      assert.ok(produced.has(setting), `no quoted case yields ${setting}`);
  });

  test('a key that holds the words of a setting does not make a policy message a setting one', () => {
    const parsed = parseDenialMessage(
      'User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/x because public policies are blocked by the BlockPublicPolicy y" because no identity-based policy allows the s3:GetObject action',
    );
    assert.equal(parsed.form, 'enhanced');
    const setting = parseDenialMessage(
      'User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::b/x because no identity-based policy allows the y action" because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.',
    );
    assert.equal(
      setting.form === 'setting' ? setting.resource : setting.form,
      'arn:aws:s3:::b/x because no identity-based policy allows the y action',
    );
  });

  test('an implicit denial followed by an authorization id keeps the id', () => {
    const parsed = parseDenialMessage(
      'User: arn:aws:iam::123456789012:user/janedoe is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/abc123 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: abc123',
    );
    assert.equal(parsed.form, 'enhanced');
    assert.ok(parsed.form === 'enhanced');
    assert.equal(parsed.denial, 'implicit');
    assert.equal(parsed.authorizationId, 'abc123');
    assert.equal(parsed.policyArn, undefined);
  });
});

describe('parseDenialMessage properties', () => {
  test('any text parses to one of the four forms without throwing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        assert.ok(['legacy', 'enhanced', 'setting', 'unrecognised'].includes(parseDenialMessage(text).form));
      }),
    );
  });

  test('the principal, action and quoted resource of a well-formed message come back unchanged', () => {
    const key = fc.string({ minLength: 1 }).filter((k) => !k.includes('"') && !/[\r\n]/.test(k));
    fc.assert(
      fc.property(
        fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:ListBucket'),
        key,
        fc.constantFrom(
          ['because no identity-based policy allows the s3:X action', 'implicit', 'identity'],
          ['with an explicit deny in a resource-based policy', 'explicit', 'resource'],
          ['with an explicit deny in a service control policy', 'explicit', 'scp'],
        ),
        (action, objectKey, [reason, denial, policyType]) => {
          const resource = `arn:aws:s3:::bucket/${objectKey}`;
          const text = `User: arn:aws:iam::123456789012:user/u is not authorized to perform: ${action} on resource: "${resource}" ${reason}`;
          assert.deepEqual(parseDenialMessage(text), {
            form: 'enhanced',
            principalArn: 'arn:aws:iam::123456789012:user/u',
            action,
            resource,
            denial,
            policyType,
          });
        },
      ),
    );
  });
});

describe('the canonical fast path agrees with the general parser', () => {
  const phrases = [
    'identity-based policy',
    'resource-based policy',
    'permissions boundary policy',
    'permissions boundary',
    'session policy',
    'sessions policy',
    'service control policy',
    'resource control policy',
    'VPC endpoint policy',
  ];
  // Object keys are caller-controlled: they may hold the markers, quotes and phrases themselves.
  const keyPiece = fc.constantFrom(
    'daily/',
    'a b',
    '"',
    ' because no ',
    ' with an explicit deny in a ',
    ' due to an explicit deny in an ',
    ' allows the s3:GetObject action',
    'identity-based policy',
    ' on resource: ',
    '\u2028',
    '\n',
    'é',
    '',
  );
  const resource = fc.oneof(
    fc.constant(undefined),
    fc.array(keyPiece, { maxLength: 6 }).map((parts) => `arn:aws:s3:::bucket/${parts.join('')}`),
    fc.array(keyPiece, { maxLength: 3 }).map((parts) => parts.join('')),
  );
  const reason = fc.oneof(
    fc.constantFrom(...phrases).map((p) => ` because no ${p} allows the s3:GetObject action`),
    fc
      .tuple(fc.constantFrom('with', 'due to'), fc.constantFrom('a', 'an'), fc.constantFrom(...phrases))
      .map(([w, a, p]) => ` ${w} an explicit deny in ${a} ${p}`),
  );
  const tail = fc.constantFrom(
    '',
    '',
    '',
    '.',
    ' ',
    ': arn:aws:organizations::111122223333:policy/o-a/service_control_policy/p-1',
    ' transitively through a service control policy',
  );
  const message = fc
    .tuple(
      fc.constantFrom('arn:aws:iam::111122223333:user/backup', 'arn:aws:sts::111122223333:assumed-role/r/s'),
      fc.constantFrom('s3:GetObject', 's3:ListBucket'),
      resource,
      reason,
      tail,
      fc.constantFrom('User: ', 'user: ', 'User:  '),
    )
    .map(
      ([principal, action, res, why, end, head]) =>
        `${head}${principal} is not authorized to perform: ${action}${res === undefined ? '' : ` on resource: "${res}"`}${why}${end}`,
    );

  test('every message the fast path reads is read the same way by the general parser', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(message, (text) => {
        runs++;
        const quick = parseCanonical(text);
        if (quick !== undefined) {
          fast++;
          assert.deepEqual(quick, parseDenialMessageText(text));
        }
        assert.deepEqual(parseDenialMessage(text), parseDenialMessageText(text));
      }),
      { numRuns: 2000 },
    );
    // Not vacuous: both paths are exercised.
    assert.ok(fast > runs / 20, `fast path used for ${fast} of ${runs} messages`);
    assert.ok(fast < runs, 'some messages need the general parser');
  });
});
