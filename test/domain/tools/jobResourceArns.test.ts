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
  jobResourceArns,
  literalArnPart,
  literalObjectArn,
  replacedCharacters,
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

  test('writes a character beyond U+FFFF, or a lone surrogate, as ?* (one or more), and a run of them as one ?*', () => {
    assert.equal(literalArnPart('trip 😀/a.jpg'), 'trip ?*/a.jpg');
    assert.equal(literalArnPart('😀😀x'), '?*x');
    assert.equal(literalArnPart('a\ud800b'), 'a?*b');
    // A literal * next to a replaced character stays literal.
    assert.equal(literalArnPart('*😀'), '${*}?*');
    // At the end, ?* still needs a character there: app🎉 does not become app*.
    assert.equal(literalArnPart('app🎉'), 'app?*');
    assert.equal(allowsObject(literalArnPart('app🎉'), 'app'), false);
    assert.equal(allowsObject(literalArnPart('app🎉'), 'app🎉'), true);
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

describe('replacedCharacters', () => {
  const resources = ['arn:aws:s3:::b', 'arn:aws:s3:::b/??/2026-??/*', 'arn:aws:s3:::b/trip ?*/a.jpg'];

  test('names the characters of the texts a resource was written from, where it holds ?', () => {
    assert.deepEqual(replacedCharacters(resources, ['写真/2026-京都/a.jpg', 'trip 😀😀/a.jpg']), [
      '写',
      '真',
      '京',
      '都',
      '😀',
    ]);
  });

  test('leaves out texts no resource was written from, and characters past where the resource ends', () => {
    // Another directory, a tag value, and a key whose later characters lie under the resource's *.
    assert.deepEqual(
      replacedCharacters(resources, ['other/Ж/readme.txt', 'team=Ωmega™', 'ab/2026-cd/Ж.jpg']),
      [],
    );
    assert.deepEqual(replacedCharacters(resources, ['写真/2026-京都/Ж.jpg']), ['写', '真', '京', '都']);
  });

  test('through an access point, and none for resources without a replacement', () => {
    assert.deepEqual(
      replacedCharacters(
        ['arn:aws:s3:eu-west-1:111122223333:accesspoint/ap/object/raw/??/*'],
        ['raw/日本/x'],
      ),
      ['日', '本'],
    );
    assert.deepEqual(replacedCharacters(['arn:aws:s3:::b/daily/*'], ['daily/日本']), []);
  });
});

describe('holdsReplacedCharacter', () => {
  test('a bare ? is a replacement; ${?}, * and env:/*/ are not', () => {
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/??/2026/*'), true);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/trip ?*/a.jpg'), true);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/app?*'), true);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/daily/*'), false);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/odd${*}dir${?}/*'), false);
    assert.equal(holdsReplacedCharacter('arn:aws:s3:::b/env:/*/state.tfstate'), false);
  });
});

describe('literalObjectArn', () => {
  test("writes an object ARN's key as literalArnPart does, through a bucket or an access point; other ARNs stay", () => {
    assert.equal(literalObjectArn('arn:aws:s3:::b/hosts/日本/a*b'), 'arn:aws:s3:::b/hosts/??/a${*}b');
    assert.equal(
      literalObjectArn('arn:aws:s3:eu-west-1:111122223333:accesspoint/ap/object/raw/日本/a\nb'),
      'arn:aws:s3:eu-west-1:111122223333:accesspoint/ap/object/raw/??/a\nb',
    );
    assert.equal(literalObjectArn('arn:aws-cn:s3:::b/é'), 'arn:aws-cn:s3:::b/é');
    for (const arn of [
      'arn:aws:s3:::b',
      '*',
      'arn:aws:kms:eu-west-1:111122223333:key/k',
      'arn:aws:s3:eu-west-1:1:accesspoint/ap',
    ])
      assert.equal(literalObjectArn(arn), arn);
  });
});

describe('unsayableCharactersCaveat', () => {
  test('names the characters, says what stands for them and links the quota', () => {
    const caveat = unsayableCharactersCaveat(['写', '真']);
    assert.match(caveat, /the keys' characters "写", "真" cannot be written in one/);
    assert.match(
      caveat,
      /the statements write each as \? \(any one character\), so they also allow keys that differ there/,
    );
    assert.doesNotMatch(caveat, /U\+FFFF/);
    assert.match(caveat, /reference_iam-quotas/);
  });

  test('says what stands for a character beyond U+FFFF only when there is one', () => {
    assert.match(
      unsayableCharactersCaveat(['😀']),
      /write each beyond U\+FFFF, or a run of them, as \?\* \(one character or more, \/ included, so it reaches into other directories too\)/,
    );
    assert.match(
      unsayableCharactersCaveat(['写', '😀']),
      /write each as \? \(any one character\), and one beyond U\+FFFF, or a run of them, as \?\*/,
    );
  });

  test('names a control, a combining mark, an invisible or bidi character, a space or a lone surrogate by its code point', () => {
    assert.match(
      unsayableCharactersCaveat(['\u0002', '\u0301', '\u200b', '\u202e', '\u3000', '\udc00', '😀']),
      /U\+0002, U\+0301, U\+200B, U\+202E, U\+3000, U\+DC00, "😀" cannot/,
    );
  });

  test('says "some of the keys\' characters", and both kinds of replacement, when they could not be told', () => {
    const caveat = unsayableCharactersCaveat([]);
    assert.match(caveat, /so some of the keys' characters cannot be written in one/);
    assert.match(
      caveat,
      /each as \? \(any one character\), and one beyond U\+FFFF, or a run of them, as \?\*/,
    );
  });

  test('names eight characters at most', () => {
    const caveat = unsayableCharactersCaveat([...'あいうえおかきくけこ']);
    assert.match(caveat, /"く" and 2 more/);
    assert.doesNotMatch(caveat, /"け"/);
  });
});

describe('jobResourceArns', () => {
  test('a prefix keeps a leading slash (part of the keys) and drops a trailing one; the object pattern matches the keys', () => {
    assert.deepEqual(jobResourceArns('b', '/exports/', undefined), {
      bucketArn: 'arn:aws:s3:::b',
      objectArn: 'arn:aws:s3:::b//exports/*',
    });
    assert.ok(allowsObject('/exports/*', '/exports/a.csv'));
    assert.ok(!allowsObject('exports/*', '/exports/a.csv'));
    assert.equal(jobResourceArns('b', 'daily/', 'aws-cn').objectArn, 'arn:aws-cn:s3:::b/daily/*');
    assert.equal(jobResourceArns('b', '', undefined).objectArn, 'arn:aws:s3:::b/*');
  });
});
