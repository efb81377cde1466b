/**
 * Policy engine throughput: (a) one request against a realistic policy set, repeated; (b) 100k distinct
 * requests against the same set. The baseline, run in the same process, evaluates the same requests
 * against an empty policy set (request parsing and context building only).
 */
import { evaluate, type PolicySet } from '../src/domain/policy/evaluate.js';
import { compilePolicySet, createPolicyCache } from '../src/domain/policy/simulation.js';
import type { AuthorizationRequest } from '../src/domain/policy/types.js';
import { type BenchResult, machineLoad, measureLoop } from './measure.js';

const ACCOUNT = '111122223333';
const ACTIONS = [
  'GetObject',
  'PutObject',
  'ListBucket',
  'DeleteObject',
  'GetObjectVersion',
  'PutObjectAcl',
  'GetBucketLocation',
  'ListBucketMultipartUploads',
  'AbortMultipartUpload',
  'GetObjectTagging',
];

function statement(p: number, s: number): Record<string, unknown> {
  const bucket = `data-${p}`;
  const kind = s % 5;
  if (kind === 0)
    return {
      Sid: `P${p}S${s}`,
      Effect: 'Allow',
      Action: ['s3:Get*', 's3:List*'],
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    };
  if (kind === 1)
    return {
      Sid: `P${p}S${s}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': ['${aws:username}/*', 'shared/*'] } },
    };
  if (kind === 2)
    return {
      Sid: `P${p}S${s}`,
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `arn:aws:s3:::${bucket}/team-?/*`,
      Condition: {
        IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    };
  if (kind === 3)
    return {
      Sid: `P${p}S${s}`,
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: `arn:aws:s3:::${bucket}/locked/*`,
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'storage' } },
    };
  return {
    Sid: `P${p}S${s}`,
    Effect: 'Allow',
    NotAction: ['iam:*', 'organizations:*'],
    Resource: `arn:aws:s3:::${bucket}-*/*`,
    Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
  };
}

export function realisticInput(): Record<string, unknown> {
  const identityPolicies = Array.from({ length: 10 }, (_, p) => ({
    name: `Policy${p}`,
    arn: `arn:aws:iam::${ACCOUNT}:policy/Policy${p}`,
    document: { Version: '2012-10-17', Statement: Array.from({ length: 10 }, (_, s) => statement(p, s)) },
  }));
  return {
    identityPolicies,
    permissionsBoundary: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:Decrypt'], Resource: '*' }],
    },
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecure',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::data-3', 'arn:aws:s3:::data-3/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Action: ['s3:GetObject'],
          Resource: 'arn:aws:s3:::data-3/*',
        },
      ],
    },
  };
}

export function request(i: number): AuthorizationRequest {
  const action = ACTIONS[i % ACTIONS.length]!;
  const bucket = `data-${i % 10}`;
  const bucketLevel = action.startsWith('List') || action === 'GetBucketLocation';
  return {
    principal: `arn:aws:iam::${ACCOUNT}:user/user${i % 500}`,
    action: `s3:${action}`,
    resource: bucketLevel ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/team-${i % 7}/obj-${i}.bin`,
    context: {
      'aws:SourceIp': `203.0.113.${i % 250}`,
      'aws:SecureTransport': i % 13 !== 0,
      'aws:CurrentTime': '2026-11-27T12:00:00Z',
      'aws:PrincipalTag/team': i % 3 === 0 ? 'storage' : 'analytics',
      's3:prefix': `user${i % 500}/`,
    },
  };
}

/**
 * Runs the four measurements (median of 3 runs each) and prints the machine load around them. The loops
 * are written here so that each iteration is one direct `evaluate` call; the baselines use the same
 * loops with an empty policy set.
 */
export function runPolicyEngineBench(): BenchResult[] {
  const cache = createPolicyCache();
  const compiled = compilePolicySet(realisticInput(), cache);
  if (!compiled.ok) throw new Error(compiled.error.message);
  const set = compiled.set;
  const empty: PolicySet = { identity: [], scpLevels: [], rcpLevels: [] };
  const loadBefore = machineLoad();

  const one = request(2);
  const repeated = 300_000;
  const oneRequest =
    (policies: PolicySet) =>
    (count: number): unknown => {
      let last: unknown;
      for (let i = 0; i < count; i++) last = evaluate(policies, one);
      return last;
    };
  const baselineOne = measureLoop('baseline: one request, empty policy set', repeated, oneRequest(empty));
  const a = measureLoop(
    '(a) one request, 10x10 identity + boundary + bucket policy',
    repeated,
    oneRequest(set),
  );

  const distinct = Array.from({ length: 100_000 }, (_, i) => request(i));
  // Each run walks the whole list once; the warm-up walks its first tenth.
  const manyRequests =
    (policies: PolicySet) =>
    (count: number): unknown => {
      let last: unknown;
      for (let i = 0; i < count; i++) last = evaluate(policies, distinct[i % distinct.length]!);
      return last;
    };
  const baselineMany = measureLoop(
    'baseline: 100k distinct requests, empty policy set',
    distinct.length,
    manyRequests(empty),
  );
  const b = measureLoop('(b) 100k distinct requests, same policy set', distinct.length, manyRequests(set));
  console.log(
    `Policy engine bench on node ${process.version}: ${loadBefore} before, ${machineLoad()} after.\n`,
  );
  return [baselineOne, a, baselineMany, b];
}
