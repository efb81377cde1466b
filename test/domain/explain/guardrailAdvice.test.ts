/**
 * The advice for common bucket-policy guardrails follows what the refused request shows: a request
 * through a VPC endpoint has no aws:SourceIp to meet.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedObjectRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const caveatNaming = (caveats: readonly string[] | undefined, sid: string): string =>
  caveats?.find((c) => c.includes(`"${sid}"`) || c.includes(`statement ${sid})`)) ?? '';

describe('aws:SourceIp advice for a request through a VPC endpoint', () => {
  const read = (vpcEndpointId?: string) =>
    deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      sourceIPAddress: '10.0.0.5',
      ...(vpcEndpointId !== undefined ? { vpcEndpointId } : {}),
    });
  const ALLOW_GET = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' };
  const IN_RANGE = { 'aws:SourceIp': '10.0.0.0/8' };

  test('a Deny outside an address range: no address meets it through the endpoint, and the keys that do are named', () => {
    const deny = {
      Sid: 'OnlyFromOffice',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { NotIpAddress: IN_RANGE },
    };
    const finding = explainTexts(text(read('vpce-1111')), backupUserContext([ALLOW_GET, deny])).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    const caveat = caveatNaming(finding?.caveats, 'OnlyFromOffice');
    assert.match(
      caveat,
      /To get past it while it stays in place: make the request off VPC endpoint vpce-1111, from an address the statement names: the request came through that endpoint, and AWS leaves aws:SourceIp out of the context of a request through a VPC endpoint/,
    );
    assert.match(caveat, /aws:SourceVpce or aws:SourceVpc, or aws:VpcSourceIp/);
    assert.match(caveat, /reference_policies_condition-keys\.html#condition-keys-sourceip/);
    assert.doesNotMatch(caveat, /send the request from an address/);
    // Off the endpoint, the address is what to change.
    const off = explainTexts(
      text({ ...read(), sourceIPAddress: '192.0.2.9' }),
      backupUserContext([ALLOW_GET, deny]),
    ).findings[0];
    assert.match(
      caveatNaming(off?.caveats, 'OnlyFromOffice'),
      /send the request from an address the statement names/,
    );
  });

  test('an Allow from an address range (a near miss): the same advice', () => {
    const allow = { ...ALLOW_GET, Sid: 'ReadFromOffice', Condition: { IpAddress: IN_RANGE } };
    const finding = explainTexts(text(read('vpce-2222')), backupUserContext([allow])).findings[0];
    const caveat = caveatNaming(finding?.caveats, 'ReadFromOffice');
    assert.match(
      caveat,
      /To meet the condition, make the request off VPC endpoint vpce-2222, from an address/,
    );
    assert.doesNotMatch(caveat, /send the request from an address/);
  });
});
