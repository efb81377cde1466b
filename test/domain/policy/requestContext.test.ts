/**
 * The request context view: case-insensitive key names and keys derived from the caller.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#Condition-keys
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRequestContext } from '../../../src/domain/policy/requestContext.js';
import { parseRequestPrincipal } from '../../../src/domain/policy/requestPrincipal.js';

const user = parseRequestPrincipal('arn:aws:iam::111122223333:user/backup');
const session = parseRequestPrincipal('arn:aws:sts::111122223333:assumed-role/backup-role/nightly');

describe('buildRequestContext', () => {
  test('finds a key whatever the case it was given in, with every value as text', () => {
    const view = buildRequestContext(
      { 'aws:SourceIp': '203.0.113.7', 'AWS:SecureTransport': true, 's3:max-keys': 10 },
      user,
      '111122223333',
    );
    assert.deepEqual(view.get('aws:sourceip'), { values: ['203.0.113.7'], multiValued: false });
    assert.equal(view.singleValue('aws:securetransport'), 'true');
    assert.equal(view.singleValue('s3:max-keys'), '10');
    assert.equal(view.get('aws:referer'), undefined);
  });

  test('keeps multi-valued keys as lists and does not offer them as single values', () => {
    const view = buildRequestContext({ 'aws:TagKeys': ['team', 'env'] }, user, undefined);
    assert.deepEqual(view.get('aws:tagkeys'), { values: ['team', 'env'], multiValued: true });
    assert.equal(view.singleValue('aws:tagkeys'), undefined);
  });

  test('lets the last spelling win when a key is given twice in different cases', () => {
    const view = buildRequestContext(
      { 'aws:SourceIp': '192.0.2.1', 'AWS:SOURCEIP': '192.0.2.2' },
      user,
      undefined,
    );
    assert.equal(view.singleValue('aws:sourceip'), '192.0.2.2');
  });

  test('derives the caller keys when the context does not set them', () => {
    const view = buildRequestContext(undefined, session, '444455556666');
    assert.equal(view.singleValue('aws:principalarn'), 'arn:aws:iam::111122223333:role/backup-role');
    assert.equal(view.singleValue('aws:principalaccount'), '111122223333');
    assert.equal(view.singleValue('aws:resourceaccount'), '444455556666');
    assert.equal(view.get('aws:username'), undefined);
    assert.equal(buildRequestContext({}, user, undefined).singleValue('aws:username'), 'backup');
  });

  test("derives a role session's aws:PrincipalArn in the session's partition", () => {
    for (const partition of ['aws-cn', 'aws-us-gov']) {
      const inPartition = parseRequestPrincipal(
        `arn:${partition}:sts::111122223333:assumed-role/backup-role/nightly`,
      );
      assert.equal(
        buildRequestContext(undefined, inPartition, undefined).singleValue('aws:principalarn'),
        `arn:${partition}:iam::111122223333:role/backup-role`,
      );
    }
  });

  test('prefers a value given in the context over the derived one', () => {
    const view = buildRequestContext(
      { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/path/backup-role' },
      session,
      undefined,
    );
    assert.equal(view.singleValue('aws:principalarn'), 'arn:aws:iam::111122223333:role/path/backup-role');
  });

  test('gives each of two contexts read alternately its own values', () => {
    const first = { 'aws:SourceIp': '192.0.2.1' };
    const second = { 'aws:sourceip': '198.51.100.1', 's3:prefix': 'home/' };
    const views = [first, second, first, second].map((context) =>
      buildRequestContext(context, user, undefined),
    );
    assert.deepEqual(
      views.map((v) => [v.singleValue('aws:sourceip'), v.singleValue('s3:prefix')]),
      [
        ['192.0.2.1', undefined],
        ['198.51.100.1', 'home/'],
        ['192.0.2.1', undefined],
        ['198.51.100.1', 'home/'],
      ],
    );
  });
});
