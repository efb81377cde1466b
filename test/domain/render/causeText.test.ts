import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scpRefusalByMessage } from '../../../src/domain/explain/summary.js';
import { CAUSE_TEXT, causeText, findingCauseText } from '../../../src/domain/render/causeText.js';
import { noFixReason, overviewRows } from '../../../src/domain/render/reportWording.js';
import { bareFinding } from '../explain/explainFixtures.js';

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
    const text = causeText('resource-policy-missing-allow', null, type);
    assert.match(text.explanation, /only the bucket policy can allow the request/, type);
    assert.doesNotMatch(text.explanation, /crosses accounts/, type);
  }
  assert.match(causeText('resource-policy-missing-allow', null, 'IAMUser').explanation, /crosses accounts/);
});

test('an SCP refusal no given statement shows reads as AWS writes it, in the cause, the no-fix reason and the overview', () => {
  const byMessage = bareFinding('arn:aws:iam::111122223333:user/backup', {
    cause: 'scp-explicit-deny',
    deniedBy: [
      { policyType: 'scp', policyArn: 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1' },
    ],
  });
  assert.match(findingCauseText(byMessage).explanation, /none were given, or none of those given refuses it/);
  assert.match(
    noFixReason(byMessage.cause, scpRefusalByMessage(byMessage)),
    /give every level, from the root down/,
  );
  assert.equal(
    overviewRows({ findings: [byMessage], skipped: [], errors: [] })[0]?.outcome,
    'no fix: a service control policy (a Deny, or an allow list without the action)',
  );
  // A Deny statement of the SCPs given: the plain explicit-deny wording.
  const byStatement = {
    ...byMessage,
    deniedBy: [{ policyType: 'scp' as const, sid: 'DenyPuts', statementIndex: 1 }],
  };
  assert.match(findingCauseText(byStatement).title, /explicitly denies/);
});
