import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAUSE_TEXT, causeText } from '../../../src/domain/render/causeText.js';

test('every cause has a title, an explanation sentence and an AWS documentation source', () => {
  for (const [cause, text] of Object.entries(CAUSE_TEXT)) {
    assert.ok(text.title.length > 10 && text.title.length < 80, `${cause} title`);
    assert.match(text.explanation, /\.$/, `${cause} explanation ends as a sentence`);
    assert.match(text.source, /^https:\/\/docs\.aws\.amazon\.com\//, `${cause} source`);
  }
});

test('causes read differently from each other', () => {
  const titles = Object.values(CAUSE_TEXT).map((text) => text.title);
  assert.equal(new Set(titles).size, titles.length);
});

test('explicit-deny causes say that a Deny matched; missing-allow causes do not', () => {
  assert.match(causeText('scp-explicit-deny').title, /explicitly denies/);
  assert.match(causeText('boundary-explicit-deny').explanation, /Deny statement/);
  assert.doesNotMatch(causeText('identity-missing-allow').title, /explicitly/);
});

test('a missing bucket-policy Allow for a caller with no identity policies does not speak of two accounts', () => {
  for (const type of ['Anonymous', 'AWSService'] as const) {
    const text = causeText('resource-policy-missing-allow', null, 'policies', type);
    assert.match(text.explanation, /only the bucket policy can allow the request/, type);
    assert.doesNotMatch(text.explanation, /crosses accounts/, type);
  }
  assert.match(
    causeText('resource-policy-missing-allow', null, 'policies', 'IAMUser').explanation,
    /crosses accounts/,
  );
});
