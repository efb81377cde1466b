import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  bucketPolicyFor,
  parseBucketPolicyArg,
  parseBucketPolicyFile,
} from '../../../src/domain/snapshot/bucketPolicy.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/snapshot/${name}`, import.meta.url), 'utf8'));

describe('parseBucketPolicyFile', () => {
  test('a bare document and get-bucket-policy output give the same document', () => {
    const bare = parseBucketPolicyFile(fixture('bucket-policy-bare.json'), 'bare.json');
    const output = parseBucketPolicyFile(fixture('bucket-policy-get-output.json'), 'output.json');
    assert.ok(bare.ok && output.ok);
    assert.deepEqual(output.document, bare.document);
    assert.deepEqual(
      (bare.document.Statement as { Sid: string }[]).map((s) => s.Sid),
      ['DenyInsecureTransport', 'AllowRcloneRole'],
    );
  });

  test('a Policy member that is not JSON is bucketPolicy.invalidContent', () => {
    const result = parseBucketPolicyFile({ Policy: '{"Version": ' }, 'p.json');
    assert.equal(result.ok ? '' : result.code, 'bucketPolicy.invalidContent');
    assert.match(result.ok ? '' : result.message, /^p\.json: the Policy member/);
  });

  test('other shapes are bucketPolicy.invalidShape naming the file', () => {
    const object = parseBucketPolicyFile({ UserDetailList: [] }, 'authz.json');
    assert.equal(object.ok ? '' : object.code, 'bucketPolicy.invalidShape');
    assert.match(object.ok ? '' : object.message, /^authz\.json: .*an object with neither/);
    const array = parseBucketPolicyFile([], 'a.json');
    assert.match(array.ok ? '' : array.message, /got an array/);
  });
});

describe('parseBucketPolicyArg', () => {
  test('splits BUCKET=FILE at the first "=" so file names may contain "="', () => {
    assert.deepEqual(parseBucketPolicyArg('acme-backups=policies/acme.json'), {
      ok: true,
      bucket: 'acme-backups',
      file: 'policies/acme.json',
    });
    assert.deepEqual(parseBucketPolicyArg('logs.example.com=dir/a=b.json'), {
      ok: true,
      bucket: 'logs.example.com',
      file: 'dir/a=b.json',
    });
  });

  test('accepts legacy us-east-1 bucket names with capitals and underscores', () => {
    assert.equal(parseBucketPolicyArg('Legacy_Bucket=p.json').ok, true);
  });

  for (const [arg, why] of [
    ['acme-backups', /there is no "="/],
    ['=p.json', /bucket name is empty/],
    ['acme-backups=', /file name is empty/],
    ['s3://acme-backups=p.json', /not an s3:\/\/ URL or an ARN/],
    ['arn:aws:s3:::acme-backups=p.json', /not an s3:\/\/ URL or an ARN/],
    ['my bucket=p.json', /"my bucket" is not a valid bucket name/],
    ['ab=p.json', /"ab" is not a valid bucket name/],
  ] as const) {
    test(`rejects "${arg}" with bucketPolicy.argMalformed and says why`, () => {
      const result = parseBucketPolicyArg(arg);
      assert.equal(result.ok ? '' : result.code, 'bucketPolicy.argMalformed');
      assert.match(result.ok ? '' : result.message, /^--bucket-policy expects BUCKET=FILE/);
      assert.match(result.ok ? '' : result.message, why);
    });
  }
});

describe('bucketPolicyFor', () => {
  const document = fixture('bucket-policy-bare.json');

  test('labels the policy with its bucket and file, without warnings when the ARNs name the bucket', () => {
    const { policy, warnings } = bucketPolicyFor('acme-backups', document, 'bare.json');
    assert.deepEqual(policy, {
      bucket: 'acme-backups',
      name: 'acme-backups bucket policy',
      document,
      source: 'bare.json',
    });
    assert.deepEqual(warnings, []);
  });

  test('warns when every S3 ARN in the policy names another bucket', () => {
    const { warnings } = bucketPolicyFor('acme-logs', document, 'bare.json');
    assert.equal(warnings[0]?.code, 'bucketPolicy.bucketMismatch');
    assert.match(warnings[0]?.message ?? '', /bucket acme-logs names only other buckets \(acme-backups\)/);
  });

  test('does not warn for wildcard bucket ARNs that match, nor for Resource "*"', () => {
    const wildcard = { Statement: [{ Effect: 'Allow', Resource: 'arn:aws:s3:::acme-*/*' }] };
    assert.deepEqual(bucketPolicyFor('acme-logs', wildcard, 'w.json').warnings, []);
    const star = { Statement: [{ Effect: 'Allow', Resource: '*' }] };
    assert.deepEqual(bucketPolicyFor('acme-logs', star, 's.json').warnings, []);
  });
});
