/**
 * Key text in a Resource: wildcard characters made literal, and characters an IAM policy document
 * cannot hold (anything but tab, line feed, carriage return and U+0020 to U+00FF) replaced by wildcards.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { runSimulation } from '../../../src/domain/policy/simulation.js';
import {
  holdsReplacedCharacter,
  literalArnPart,
  unsayableCharacters,
  unsayableCharactersCaveat,
} from '../../../src/domain/tools/jobResourceArns.js';

/** What IAM's PolicyDocument parameter accepts (API_CreatePolicyVersion, API_PutUserPolicy). */
const IAM_DOCUMENT = /^[\t\n\r\u0020-\u00ff]+$/;

function allowsObject(resourcePart: string, key: string): boolean {
  const outcome = runSimulation({
    request: {
      principal: 'arn:aws:iam::111122223333:user/u',
      action: 's3:GetObject',
      resource: `arn:aws:s3:::b/${key}`,
    },
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b/${resourcePart}` }],
      },
    ],
  });
  assert.ok(outcome.ok);
  return outcome.result.decision === 'Allowed';
}

describe('literalArnPart', () => {
  test('writes IAM wildcard characters as the policy variables that stand for them', () => {
    assert.equal(literalArnPart('a*b?c$d'), 'a${*}b${?}c${$}d');
  });

  test('keeps ASCII, Latin-1 (é, ß, ü), tab, line feed and carriage return as they are', () => {
    for (const text of ['daily/db.dump', 'Café/Straße/über.txt', 'a\tb\nc\rd', '\u00a0\u00ff~']) {
      assert.equal(literalArnPart(text), text);
    }
  });

  test('writes each character IAM cannot hold as ? (Japanese, Cyrillic, Greek, control characters)', () => {
    assert.equal(literalArnPart('写真/2026/'), '??/2026/');
    assert.equal(literalArnPart('фото/a'), '????/a');
    assert.equal(literalArnPart('Ωmega'), '?mega');
    assert.equal(literalArnPart('a\u0001b\u001fc'), 'a?b?c');
    assert.equal(literalArnPart('€uro'), '?uro');
  });

  test('writes a character beyond U+FFFF, or a lone surrogate, as *, and a run of them as one *', () => {
    assert.equal(literalArnPart('trip 😀/a.jpg'), 'trip */a.jpg');
    assert.equal(literalArnPart('😀😀x'), '*x');
    assert.equal(literalArnPart('a\ud800b'), 'a*b');
    // A literal * next to a replaced character stays literal.
    assert.equal(literalArnPart('*😀'), '${*}*');
  });

  test('the result always fits in a policy IAM accepts, and the statement still matches the key', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(text, (key) => {
        const part = literalArnPart(key);
        assert.match(JSON.stringify({ Resource: `arn:aws:s3:::b/${part}` }), IAM_DOCUMENT);
        assert.match(`arn:aws:s3:::b/${part}`, IAM_DOCUMENT);
        assert.ok(allowsObject(part, key), `${JSON.stringify(part)} does not match ${JSON.stringify(key)}`);
        assert.ok(allowsObject(`${part}*`, `${key}/x`));
      }),
    );
  });

  test('the replaced characters narrow as much as IAM can: ? matches one character, not a slash-free run', () => {
    assert.equal(allowsObject(literalArnPart('写真/a'), 'ab/a'), true);
    assert.equal(allowsObject(literalArnPart('写真/a'), 'abc/a'), false);
    assert.equal(allowsObject(literalArnPart('写真/a'), '写/a'), false);
  });
});

describe('unsayableCharacters', () => {
  test('lists each character IAM cannot hold once, in order of first use, a pair of surrogates as one', () => {
    assert.deepEqual(unsayableCharacters(['写真/a', 'b/真写', 'é/ok', 'x😀\u0002']), [
      '写',
      '真',
      '😀',
      '\u0002',
    ]);
    assert.deepEqual(unsayableCharacters(['daily/a', 'Café']), []);
  });
});

describe('holdsReplacedCharacter', () => {
  test('a bare ? or a * before the end is a replacement; literals, a final * and env:/*/ are not', () => {
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/??/2026/*'), true);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/trip */a.jpg'), true);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/daily/*'), false);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/odd${*}dir${?}/*'), false);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/env:/*/state.tfstate'), false);
  });
});

describe('unsayableCharactersCaveat', () => {
  test('names the characters, says what stands for them and links the quota', () => {
    const caveat = unsayableCharactersCaveat(['写', '真']);
    assert.match(caveat, /"写", "真"/);
    assert.match(caveat, /write each as \?/);
    assert.match(caveat, /reference_iam-quotas/);
  });

  test('names a control character or a lone surrogate by its code point', () => {
    assert.match(unsayableCharactersCaveat(['\u0002', '\udc00', '😀']), /U\+0002, U\+DC00, "😀" of the keys/);
  });

  test('names eight characters at most', () => {
    const caveat = unsayableCharactersCaveat([...'あいうえおかきくけこ']);
    assert.match(caveat, /"く" and 2 more/);
    assert.doesNotMatch(caveat, /"け"/);
  });
});
