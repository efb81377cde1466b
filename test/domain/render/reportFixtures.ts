/**
 * Explain reports used by the renderer tests. The object key is hostile on purpose: it tries a Slack
 * channel mention, a disguised link, an entity, a code-span break, bold markup and a terminal colour.
 */
import type {
  ExplainReport,
  Finding,
  FindingRequest,
  PolicyStatement,
  Skipped,
} from '../../../src/domain/explain/report.js';

export const HOSTILE_PARTS = {
  mention: '<!channel>',
  link: '<https://evil.example|click>',
  entity: '&amp;',
  backticks: '`` ` ``',
  bold: '*bold*',
  ansi: '\u001b[31m',
} as const;

export const HOSTILE_KEY = `reports/${Object.values(HOSTILE_PARTS).join(' ')}red.txt`;
export const HOSTILE_OBJECT_ARN = `arn:aws:s3:::backups/${HOSTILE_KEY}`;

const ROLE_SESSION_ARN = 'arn:aws:sts::111122223333:assumed-role/backup-job/i-0abc';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/backup-job';

export function request(overrides: Partial<FindingRequest> = {}): FindingRequest {
  return {
    eventId: 'e-put-1',
    eventName: 'PutObject',
    action: 's3:PutObject',
    resource: HOSTILE_OBJECT_ARN,
    decision: 'ImplicitlyDenied',
    source: 'message',
    ...overrides,
  };
}

export const RCLONE_FIX_STATEMENTS: readonly PolicyStatement[] = [
  {
    Sid: 'AllowRcloneWrite',
    Effect: 'Allow',
    Action: ['s3:PutObject'],
    Resource: [HOSTILE_OBJECT_ARN],
  },
];

export const RCLONE_JOB_STATEMENTS: readonly PolicyStatement[] = [
  { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::backups'] },
  {
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    Resource: ['arn:aws:s3:::backups/*'],
  },
];

/** rclone denied PutObject and CreateBucket; a verified fix edits a managed policy (with a diff). */
export const rcloneFinding: Finding = {
  eventIds: ['e-put-1', 'e-create-1'],
  principal: { arn: ROLE_SESSION_ARN, type: 'Role', account: '111122223333' },
  client: { tool: 'rclone', version: 'v1.66.0', userAgent: `rclone/v1.66.0 ${HOSTILE_PARTS.mention}` },
  bucket: 'backups',
  firstSeen: '2026-11-27T10:00:00Z',
  lastSeen: '2026-11-27T10:00:05Z',
  requests: [
    request(),
    request({
      eventId: 'e-create-1',
      eventName: 'CreateBucket',
      action: 's3:CreateBucket',
      resource: 'arn:aws:s3:::backups',
    }),
  ],
  cause: 'identity-missing-allow',
  evidence: 'policies',
  deniedBy: [],
  fix: {
    attachTo: ROLE_ARN,
    attachKind: 'managed-policy-version',
    policyArn: 'arn:aws:iam::111122223333:policy/backup-s3',
    policyName: 'backup-s3',
    statements: RCLONE_FIX_STATEMENTS,
    newDocument: { Version: '2012-10-17', Statement: RCLONE_FIX_STATEMENTS },
    diff: ` {\n   "Effect": "Allow",\n-  "Action": ["s3:GetObject"],\n+  "Action": ["s3:GetObject", "s3:PutObject"],\n   "Resource": ["${HOSTILE_OBJECT_ARN}"]\n }`,
    verified: true,
    verification: [
      `With the statement added, s3:PutObject on ${HOSTILE_OBJECT_ARN} evaluates to Allowed.`,
      'Nothing beyond s3:PutObject on that object becomes newly allowed.',
    ],
  },
  alternatives: [
    {
      kind: 'client-config',
      text: 'Set no_check_bucket = true (or --s3-no-check-bucket) so rclone does not try to create the bucket.',
      removes: ['s3:CreateBucket'],
    },
  ],
  jobProfile: {
    tool: 'rclone',
    operation: 'copy',
    statements: RCLONE_JOB_STATEMENTS,
    notes: ['Multipart uploads above 200 MiB also need s3:AbortMultipartUpload on failure.'],
  },
  caveats: [],
  summary: `rclone v1.66.0 as backup-job was denied s3:PutObject on ${HOSTILE_OBJECT_ARN}: no identity-based policy allows it.`,
};

/** aws-cli denied by an explicit Deny: no statement can be added, so no fix. */
export const explicitDenyFinding: Finding = {
  eventIds: ['e-del-1'],
  principal: { arn: 'arn:aws:iam::111122223333:user/alice', type: 'IAMUser', account: '111122223333' },
  client: { tool: 'aws-cli', version: '2.15.0', userAgent: 'aws-cli/2.15.0 Python/3.11.6' },
  bucket: 'backups',
  firstSeen: '2026-11-27T11:00:00Z',
  lastSeen: '2026-11-27T11:00:00Z',
  requests: [
    request({
      eventId: 'e-del-1',
      eventName: 'DeleteObject',
      action: 's3:DeleteObject',
      resource: 'arn:aws:s3:::backups/2026/db.dump',
      decision: 'ExplicitlyDenied',
      source: 'operation',
    }),
  ],
  cause: 'identity-explicit-deny',
  evidence: 'policies',
  deniedBy: [
    {
      policyType: 'identity',
      policyName: 'no-deletes',
      policyArn: 'arn:aws:iam::111122223333:policy/no-deletes',
      sid: 'DenyDelete',
      statementIndex: 0,
    },
  ],
  fix: null,
  alternatives: [],
  jobProfile: null,
  caveats: [],
  summary: 'alice was denied s3:DeleteObject on arn:aws:s3:::backups/2026/db.dump by an explicit Deny.',
};

/** The visible policies allow the request; caveats list what can still deny it. */
export const allowedFinding: Finding = {
  eventIds: ['e-get-1'],
  principal: { arn: 'arn:aws:iam::111122223333:role/reader', type: 'Role', account: '111122223333' },
  client: { tool: 'boto3' },
  bucket: 'reports',
  firstSeen: '2026-11-27T12:00:00Z',
  lastSeen: '2026-11-27T12:00:00Z',
  requests: [
    request({
      eventId: 'e-get-1',
      eventName: 'GetObject',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::reports/q3.csv',
      decision: 'Allowed',
      source: 'operation',
    }),
  ],
  cause: 'allowed-by-visible-policies',
  evidence: 'message',
  deniedBy: [],
  fix: null,
  alternatives: [],
  jobProfile: null,
  caveats: [
    'A service control policy (not visible in the snapshot) can still deny s3:GetObject.',
    'The object is SSE-KMS encrypted: the KMS key policy must allow kms:Decrypt.',
  ],
  summary:
    'reader was denied s3:GetObject on arn:aws:s3:::reports/q3.csv although the visible policies allow it.',
};

export const fullReport: ExplainReport = {
  findings: [rcloneFinding, explicitDenyFinding, allowedFinding],
  skipped: [
    { eventId: 'e-ec2-1', reason: 'not-s3', message: 'eventSource is ec2.amazonaws.com' },
    { eventId: 'e-put-1', reason: 'duplicate', message: `already seen ${HOSTILE_PARTS.link}` },
  ],
  errors: [
    {
      input: 'trail-2026-11-27.json',
      code: 'cloudtrail.invalidJson',
      message: `Unexpected token ${HOSTILE_PARTS.mention}`,
    },
  ],
};

/** An rclone finding with `count` distinct denied requests and a fix with `resources` object ARNs. */
export function hugeFinding(count: number, resources: number): Finding {
  const requests = Array.from({ length: count }, (_, index) =>
    request({ eventId: `e-${index}`, resource: `${HOSTILE_OBJECT_ARN}-${index}` }),
  );
  const resourceArns = Array.from({ length: resources }, (_, index) => `${HOSTILE_OBJECT_ARN}-${index}`);
  const statements: PolicyStatement[] = [
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: resourceArns },
  ];
  const base = rcloneFinding.fix;
  if (base === null) throw new Error('fixture invariant: rcloneFinding has a fix');
  return {
    ...rcloneFinding,
    eventIds: requests.map((item) => item.eventId),
    requests,
    fix: { ...base, statements, diff: resourceArns.join('\n') },
    jobProfile: rcloneFinding.jobProfile === null ? null : { ...rcloneFinding.jobProfile, statements },
    caveats: Array.from({ length: 40 }, (_, index) => `Caveat ${index} about ${HOSTILE_KEY}`),
    summary: `${rcloneFinding.summary} ${'and more '.repeat(200)}`,
  };
}

/**
 * What a trail file's worth of skipped events looks like: `notDenied` successful calls and `notS3` calls
 * to other services interleaved, then one duplicate; the first non-S3 message is hostile.
 */
export function manySkipped(notDenied: number, notS3: number): Skipped[] {
  const skipped: Skipped[] = [];
  for (let index = 0; index < Math.max(notDenied, notS3); index++) {
    if (index < notS3) {
      const message =
        index === 0 ? `from ${HOSTILE_PARTS.mention}${HOSTILE_PARTS.ansi}` : `GetCallerIdentity ${index}`;
      skipped.push({ eventId: `other-${index}`, reason: 'not-s3', message });
    }
    if (index < notDenied) {
      skipped.push({ eventId: `ok-${index}`, reason: 'not-denied', message: `PutObject ${index} succeeded` });
    }
  }
  skipped.push({ eventId: 'again-0', reason: 'duplicate', message: 'already seen' });
  return skipped;
}

/**
 * The rclone job refused the same way the next night (`repeatOf: 1`), in a new role session, with a
 * hostile caveat the first night did not have.
 */
export const rcloneAgainFinding: Finding = {
  ...rcloneFinding,
  eventIds: ['e-put-2', 'e-put-3', 'e-create-2'],
  principal: { ...rcloneFinding.principal, arn: 'arn:aws:sts::111122223333:assumed-role/backup-job/i-0def' },
  firstSeen: '2026-11-28T10:00:00Z',
  lastSeen: '2026-11-28T10:00:09Z',
  requests: [
    request({ eventId: 'e-put-2' }),
    request({ eventId: 'e-put-3' }),
    request({
      eventId: 'e-create-2',
      eventName: 'CreateBucket',
      action: 's3:CreateBucket',
      resource: 'arn:aws:s3:::backups',
    }),
  ],
  caveats: [`The snapshot may be out of date ${HOSTILE_PARTS.mention} ${HOSTILE_PARTS.ansi}.`],
  repeatOf: 1,
};

/** The rclone finding, then the same refusal the next night. */
export const repeatReport: ExplainReport = {
  findings: [rcloneFinding, rcloneAgainFinding],
  skipped: [],
  errors: [],
};
