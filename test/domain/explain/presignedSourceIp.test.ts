/**
 * A request made with a presigned URL (CloudTrail's AuthenticationMethod QueryString) comes from whoever
 * holds the URL: an aws:SourceIp condition is met or not by their address, which the signer cannot
 * change, and the advice says so instead of "send the request from an address the statement names".
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedObjectRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const read = (authenticationMethod: string) =>
  deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'reports/q3.pdf', {
    errorMessage: 'Access Denied',
    sourceIPAddress: '203.0.113.77',
    additionalEventData: { AuthenticationMethod: authenticationMethod, SignatureVersion: 'SigV4' },
  });

const FROM_APP = { 'aws:SourceIp': '198.51.100.0/24' };

describe('aws:SourceIp advice for a presigned URL', () => {
  test("an Allow from the app's addresses: the URL's holder, not the signer, must fetch it from there", () => {
    const allow = [
      {
        Sid: 'ReadFromApp',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::data/*',
        Condition: { IpAddress: FROM_APP },
      },
    ];
    const presigned = explainTexts(text(read('QueryString')), backupUserContext(allow)).findings[0];
    const caveat = presigned?.caveats.find((c) => c.includes('ReadFromApp')) ?? '';
    assert.match(caveat, /fetch the presigned URL from an address the statement names/);
    assert.match(caveat, /aws:SourceIp is the address of whoever fetched it, not the signer's/);
    assert.doesNotMatch(caveat, /send the request from an address/);
    const signed = explainTexts(text(read('AuthHeader')), backupUserContext(allow)).findings[0];
    assert.match(
      signed?.caveats.find((c) => c.includes('ReadFromApp')) ?? '',
      /send the request from an address the statement names/,
    );
  });

  test('a Deny outside those addresses: the same advice', () => {
    const statements = [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      {
        Sid: 'OnlyFromApp',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { NotIpAddress: FROM_APP },
      },
    ];
    const finding = explainTexts(text(read('QueryString')), backupUserContext(statements)).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    const caveat = finding?.caveats.find((c) => c.includes('OnlyFromApp')) ?? '';
    assert.match(caveat, /To get past it while it stays in place: fetch the presigned URL from an address/);
  });
});
