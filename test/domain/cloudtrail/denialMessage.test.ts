import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDenialMessage } from '../../../src/domain/cloudtrail/denialMessage.js';
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
  test('any text parses to one of the three forms without throwing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        assert.ok(['legacy', 'enhanced', 'unrecognised'].includes(parseDenialMessage(text).form));
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
