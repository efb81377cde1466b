/**
 * Deterministic generator of the explain benchmark's inputs: a CloudTrail trail file
 * (`{"Records": [...]}`, compact like the files CloudTrail delivers) with a realistic mix of S3 AccessDenied
 * events (enhanced and legacy messages), successful S3 calls and non-S3 events, plus the account snapshot
 * (`aws iam get-account-authorization-details`, CLI form), bucket policies and an SCP that the events
 * were "produced" by: every enhanced message names the policy type that the generated policies really
 * make responsible, so the explain pipeline does the same work it does on a real account.
 *
 * Record shapes follow `events/*` and the CloudTrail record reference.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ACCOUNT = '111122223333';
/** A partner account outside the organization: S3 gives it the legacy `Access Denied` message. */
const PARTNER = '444455556666';
/** A vendor account in the same organization: enhanced messages reach it. */
const VENDOR = '777788889999';
const REGION = 'eu-west-1';
const TRAIL_START_MS = Date.parse('2026-11-21T00:00:00Z');

/**
 * mulberry32 (a public-domain 32-bit generator): small, fast, and the same sequence on every platform,
 * so one seed always yields byte-identical files.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = this.next() * total;
    for (const [w, value] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[1];
  }

  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  uuid(): string {
    const h = (n: number) => this.chars('0123456789abcdef', n);
    return `${h(8)}-${h(4)}-4${h(3)}-${this.pick(['8', '9', 'a', 'b'])}${h(3)}-${h(12)}`;
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

// ---------------------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------------------

const BACKUP_BUCKETS = Array.from(
  { length: 8 },
  (_, i) => `acme-backup-nas-${String(i + 1).padStart(2, '0')}`,
);
const PHOTO_BUCKETS = ['acme-family-photos', 'acme-photo-archive'];
const DATALAKE_BUCKETS = [
  'acme-datalake-raw',
  'acme-datalake-curated',
  'acme-datalake-sandbox',
  'acme-warehouse-staging',
  'acme-bi-exports',
];
const ARTIFACT_BUCKETS = [
  'acme-artifacts-prod',
  'acme-artifacts-staging',
  'acme-terraform-state',
  'acme-release-assets',
];
const MEDIA_BUCKETS = ['acme-media-uploads', 'acme-media-published', 'acme-media-ingest', 'acme-thumbnails'];
const LOG_BUCKETS = ['acme-access-logs', 'acme-alb-logs', 'acme-cloudtrail-archive'];
const DB_BUCKETS = ['acme-db-backups', 'acme-db-backups-dr'];
const PARTNER_BUCKETS = ['acme-partner-exports', 'acme-vendor-drop'];

/** Every bucket the trail touches (30). */
export const BUCKETS: readonly string[] = [
  ...BACKUP_BUCKETS,
  ...PHOTO_BUCKETS,
  ...DATALAKE_BUCKETS,
  ...ARTIFACT_BUCKETS,
  ...MEDIA_BUCKETS,
  ...LOG_BUCKETS,
  ...DB_BUCKETS,
  ...PARTNER_BUCKETS,
];

const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

// ---------------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const document = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });

const statement =
  (effect: 'Allow' | 'Deny') =>
  (sid: string, action: string | string[], resource: string | string[], condition?: Json): Json => ({
    Sid: sid,
    Effect: effect,
    Action: action,
    Resource: resource,
    ...(condition !== undefined ? { Condition: condition } : {}),
  });
const allow = statement('Allow');
const deny = statement('Deny');

interface ManagedPolicySpec {
  readonly name: string;
  readonly path: string;
  readonly aws?: true;
  /** Every version's document, oldest first (`v1`, `v2`...). */
  readonly versions: readonly Json[];
  /** Index into `versions` of the default version: not always the newest, as in real accounts. */
  readonly defaultIndex: number;
}

const managedPolicyArn = (spec: { name: string; path: string; aws?: true }): string =>
  `arn:aws:iam::${spec.aws === true ? 'aws' : ACCOUNT}:policy${spec.path}${spec.name}`;

function managedPolicies(): ManagedPolicySpec[] {
  const specs: ManagedPolicySpec[] = BACKUP_BUCKETS.map((bucket, i) => {
    const objects = `${bucketArn(bucket)}/*`;
    const v1 = document(allow('BackupObjects', 's3:PutObject', objects));
    const v2 = document(allow('BackupObjects', ['s3:PutObject', 's3:GetObject'], objects));
    const v3 = document(
      allow('BackupObjects', ['s3:PutObject', 's3:GetObject'], objects),
      allow('ListHosts', 's3:ListBucket', bucketArn(bucket), {
        StringLike: { 's3:prefix': ['hosts/*', ''] },
      }),
    );
    // Half the backup policies never got the ListBucket version made default.
    return {
      name: `BackupWriter-nas-${String(i + 1).padStart(2, '0')}`,
      path: '/backup/',
      versions: [v1, v2, v3],
      defaultIndex: i < 4 ? 1 : 2,
    };
  });
  const datalakeRead = (buckets: readonly string[]): Json[] => [
    allow(
      'ReadDatalake',
      ['s3:GetObject', 's3:GetObjectTagging'],
      buckets.map((b) => `${bucketArn(b)}/*`),
    ),
    allow('ListDatalake', ['s3:ListBucket', 's3:GetBucketLocation'], buckets.map(bucketArn)),
  ];
  specs.push(
    {
      name: 'DataLakeRead',
      path: '/data/',
      versions: [
        document(...datalakeRead(['acme-datalake-raw'])),
        document(...datalakeRead(['acme-datalake-raw', 'acme-datalake-curated'])),
        document(...datalakeRead(['acme-datalake-raw', 'acme-datalake-curated', 'acme-datalake-sandbox'])),
        document(
          ...datalakeRead(['acme-datalake-raw', 'acme-datalake-curated', 'acme-datalake-sandbox']),
          allow('WriteSandbox', 's3:PutObject', `${bucketArn('acme-datalake-sandbox')}/shared/*`),
        ),
      ],
      defaultIndex: 2,
    },
    {
      name: 'BiExportWrite',
      path: '/data/',
      versions: [
        document(allow('WriteExports', ['s3:PutObject'], `${bucketArn('acme-bi-exports')}/*`)),
        document(
          allow(
            'WriteExports',
            ['s3:PutObject', 's3:AbortMultipartUpload'],
            `${bucketArn('acme-bi-exports')}/*`,
          ),
          allow('ListExports', 's3:ListBucket', bucketArn('acme-bi-exports')),
        ),
      ],
      defaultIndex: 1,
    },
    {
      name: 'CiCommon',
      path: '/ci/',
      versions: [document(allow('FindBuckets', ['s3:GetBucketLocation', 's3:ListAllMyBuckets'], '*'))],
      defaultIndex: 0,
    },
    {
      name: 'AppBoundary',
      path: '/boundaries/',
      versions: [
        document(allow('S3Basics', ['s3:GetObject', 's3:PutObject'], '*')),
        document(
          allow('S3Basics', ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], '*'),
          allow('Logs', ['logs:CreateLogStream', 'logs:PutLogEvents'], '*'),
          allow('Kms', ['kms:Decrypt', 'kms:GenerateDataKey'], '*'),
        ),
      ],
      defaultIndex: 1,
    },
    {
      name: 'EtlWriter',
      path: '/service-role/',
      versions: [
        document(
          allow('WriteStaging', 's3:PutObject', `${bucketArn('acme-warehouse-staging')}/*`),
          deny('NeverDelete', ['s3:DeleteObject', 's3:DeleteObjectVersion'], '*'),
        ),
        document(
          allow(
            'WriteStaging',
            ['s3:PutObject', 's3:AbortMultipartUpload'],
            `${bucketArn('acme-warehouse-staging')}/*`,
          ),
          deny('NeverDelete', ['s3:DeleteObject', 's3:DeleteObjectVersion'], '*'),
        ),
        document(
          allow(
            'WriteStaging',
            ['s3:PutObject', 's3:AbortMultipartUpload'],
            [`${bucketArn('acme-warehouse-staging')}/*`, `${bucketArn('acme-datalake-curated')}/*`],
          ),
          deny('NeverDelete', ['s3:DeleteObject', 's3:DeleteObjectVersion'], '*'),
        ),
      ],
      // v3 (curated) was drafted but never made default: the ETL jobs writing to curated are denied.
      defaultIndex: 0,
    },
    {
      name: 'AmazonS3ReadOnlyAccess',
      path: '/',
      aws: true,
      versions: [
        document({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }),
        document({
          Effect: 'Allow',
          Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'],
          Resource: '*',
        }),
      ],
      defaultIndex: 1,
    },
    {
      name: 'AWSLambdaBasicExecutionRole',
      path: '/service-role/',
      aws: true,
      versions: [
        document({
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: '*',
        }),
      ],
      defaultIndex: 0,
    },
    {
      name: 'AdministratorAccess',
      path: '/',
      aws: true,
      versions: [document({ Effect: 'Allow', Action: '*', Resource: '*' })],
      defaultIndex: 0,
    },
  );
  return specs;
}

/**
 * Bucket policies: HTTPS-only on some backup buckets, no deletion of photos, a partner read grant and a
 * vendor drop box.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
 */
function bucketPolicies(): Record<string, Json> {
  const httpsOnly = (bucket: string): Json =>
    deny('DenyInsecureTransport', 's3:*', [bucketArn(bucket), `${bucketArn(bucket)}/*`], {
      Bool: { 'aws:SecureTransport': 'false' },
    });
  const withPrincipal = (statement: Json, principal: unknown): Json => ({
    ...statement,
    Principal: principal,
  });
  const policies: Record<string, Json> = {};
  for (const bucket of BACKUP_BUCKETS.slice(0, 3)) {
    policies[bucket] = { ...document(withPrincipal(httpsOnly(bucket), '*')), Id: `${bucket}-policy` };
  }
  for (const bucket of PHOTO_BUCKETS) {
    policies[bucket] = document(
      withPrincipal(httpsOnly(bucket), '*'),
      withPrincipal(
        deny('KeepPhotos', ['s3:DeleteObject', 's3:DeleteObjectVersion'], `${bucketArn(bucket)}/photos/*`),
        '*',
      ),
    );
  }
  policies['acme-partner-exports'] = document(
    withPrincipal(allow('PartnerRead', 's3:GetObject', `${bucketArn('acme-partner-exports')}/exports/*`), {
      AWS: [`arn:aws:iam::${PARTNER}:role/analytics-etl`, `arn:aws:iam::${PARTNER}:role/reporting`],
    }),
    withPrincipal(
      allow('PartnerList', 's3:ListBucket', bucketArn('acme-partner-exports'), {
        StringLike: { 's3:prefix': 'exports/*' },
      }),
      { AWS: `arn:aws:iam::${PARTNER}:root` },
    ),
  );
  policies['acme-vendor-drop'] = document(
    withPrincipal(
      allow('VendorDrop', 's3:PutObject', `${bucketArn('acme-vendor-drop')}/incoming/*`, {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
      }),
      { AWS: `arn:aws:iam::${VENDOR}:root` },
    ),
  );
  return policies;
}

/**
 * The organization SCP: full access minus deleting database backups or shortening their lifecycle.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html
 */
function serviceControlPolicy(): Json {
  return document(
    { Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' },
    deny(
      'DenyBackupDeletion',
      ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration'],
      DB_BUCKETS.flatMap((b) => [bucketArn(b), `${bucketArn(b)}/*`]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------------------------------

type Archetype = 'backup' | 'photoSync' | 'analyst' | 'dba' | 'ci' | 'terraform' | 'app' | 'etl' | 'partner';

interface Principal {
  readonly archetype: Archetype;
  readonly kind: 'user' | 'role' | 'cross-account';
  readonly name: string;
  readonly path: string;
  readonly account: string;
  readonly id: string;
  readonly accessKey: string;
  readonly sourceIp: string;
  readonly userAgents: readonly string[];
  /** The bucket this principal mostly works on. */
  readonly bucket: string;
  /** Its own prefix in that bucket (backup host, CI service...). */
  readonly prefix: string;
}

const HOSTS = ['berlin', 'lyon', 'porto', 'oslo', 'graz', 'gent', 'turku', 'brno', 'cork', 'malmo'];
const PEOPLE = ['maria', 'jonas', 'li', 'amir', 'sofia', 'kenji', 'ana', 'tomas', 'noor', 'eva'];
const SERVICES = [
  'checkout',
  'search',
  'billing',
  'catalog',
  'auth',
  'ledger',
  'mailer',
  'ingest',
  'reports',
  'geo',
];
const APPS = ['orders-api', 'thumbnailer', 'media-worker', 'uploader', 'transcoder', 'indexer'];
const ETL_JOBS = ['daily-sales', 'clickstream', 'inventory', 'returns', 'payments'];

const USER_AGENTS = {
  rcloneCurrent: ['rclone/v1.66.0', 'rclone/v1.68.2'],
  rcloneOld: ['rclone/v1.59.2'],
  awsCli: [
    'aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#s3.cp',
    'aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3.ls',
    'aws-cli/1.33.12 md/Botocore#1.34.130 ua/2.0 os/linux#5.15.0-1071-aws md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.130',
  ],
  githubCli: [
    'aws-cli/2.17.42 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#s3.cp',
  ],
  boto3: [
    'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
    'Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145',
  ],
  java: [
    'aws-sdk-java/2.28.16 Linux/5.15.0-1071-aws OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  ],
  terraform: [
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.65.3',
  ],
} as const;

interface IdentityEntries {
  readonly users: Json[];
  readonly groups: Json[];
  readonly roles: Json[];
}

function attachment(spec: { name: string; path: string; aws?: true }): Json {
  return { PolicyName: spec.name, PolicyArn: managedPolicyArn(spec) };
}

function boundary(spec: { name: string; path: string }): Json {
  return { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: managedPolicyArn(spec) };
}

const BACKUP_POLICY = (i: number) => ({
  name: `BackupWriter-nas-${String(i + 1).padStart(2, '0')}`,
  path: '/backup/',
});
const DATALAKE_READ = { name: 'DataLakeRead', path: '/data/' };
const BI_EXPORT_WRITE = { name: 'BiExportWrite', path: '/data/' };
const CI_COMMON = { name: 'CiCommon', path: '/ci/' };
const APP_BOUNDARY = { name: 'AppBoundary', path: '/boundaries/' };
const ETL_WRITER = { name: 'EtlWriter', path: '/service-role/' };
const S3_READ_ONLY = { name: 'AmazonS3ReadOnlyAccess', path: '/', aws: true } as const;
const LAMBDA_BASIC = { name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', aws: true } as const;

function trust(principal: Json, action = 'sts:AssumeRole', condition?: Json): Json {
  return document({
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    ...(condition !== undefined ? { Condition: condition } : {}),
  });
}

/** Builds the ~200 principals and, for those in the account, their snapshot entries. */
function principals(rng: Random): { list: Principal[]; identities: IdentityEntries } {
  const list: Principal[] = [];
  const identities: IdentityEntries = { users: [], groups: [], roles: [] };
  const created = (day: number) =>
    `2025-${String((day % 12) + 1).padStart(2, '0')}-${String((day % 27) + 1).padStart(2, '0')}T08:${String(day % 60).padStart(2, '0')}:00+00:00`;
  const ip = (block: string) => `${block}.${rng.int(250) + 2}`;

  // Users sign with long-term keys from the office ranges; roles with session keys, not from 192.0.2.
  const listed = (
    kind: 'user' | 'role',
    archetype: Archetype,
    name: string,
    path: string,
    bucket: string,
    prefix: string,
    agents: readonly string[],
  ): string => {
    const user = kind === 'user';
    const id = `${user ? 'AIDA' : 'AROA'}${rng.chars(BASE32, 17)}`;
    list.push({
      archetype,
      kind,
      name,
      path,
      account: ACCOUNT,
      id,
      accessKey: `${user ? 'AKIA' : 'ASIA'}${rng.chars(BASE32, 16)}`,
      sourceIp: ip(rng.pick(user ? ['203.0.113', '198.51.100', '192.0.2'] : ['203.0.113', '198.51.100'])),
      userAgents: agents,
      bucket,
      prefix,
    });
    return id;
  };

  const user = (
    archetype: Archetype,
    name: string,
    path: string,
    bucket: string,
    prefix: string,
    agents: readonly string[],
    entry: Json,
  ) => {
    const id = listed('user', archetype, name, path, bucket, prefix, agents);
    identities.users.push({
      Path: path,
      UserName: name,
      UserId: id,
      Arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
      CreateDate: created(list.length),
      GroupList: [],
      AttachedManagedPolicies: [],
      Tags: [],
      ...entry,
    });
  };

  const role = (
    archetype: Archetype,
    name: string,
    path: string,
    bucket: string,
    prefix: string,
    agents: readonly string[],
    entry: Json,
  ) => {
    const id = listed('role', archetype, name, path, bucket, prefix, agents);
    identities.roles.push({
      Path: path,
      RoleName: name,
      RoleId: id,
      Arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
      CreateDate: created(list.length),
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: [],
      MaxSessionDuration: 3600,
      Tags: [],
      RoleLastUsed: { LastUsedDate: '2026-11-27T23:59:02+00:00', Region: REGION },
      ...entry,
    });
  };

  // 40 rclone backup users, one per NAS, on 8 buckets; half with the /backup/ path.
  for (let i = 0; i < 40; i++) {
    const name = `nas-${HOSTS[i % HOSTS.length]}-${String(Math.floor(i / HOSTS.length) + 1).padStart(2, '0')}`;
    const bucketIndex = i % BACKUP_BUCKETS.length;
    const agents = i % 10 === 9 ? USER_AGENTS.rcloneOld : USER_AGENTS.rcloneCurrent;
    user(
      'backup',
      name,
      i % 2 === 0 ? '/backup/' : '/',
      BACKUP_BUCKETS[bucketIndex]!,
      `hosts/${name}`,
      agents,
      {
        AttachedManagedPolicies: [attachment(BACKUP_POLICY(bucketIndex))],
        Tags: [{ Key: 'purpose', Value: 'nightly NAS backup (rclone)' }],
      },
    );
  }
  // 10 photo sync users with s3:* on their bucket; the bucket policy keeps photos from being deleted.
  for (let i = 0; i < 10; i++) {
    const bucket = PHOTO_BUCKETS[i % 2]!;
    user(
      'photoSync',
      `photo-sync-${String(i + 1).padStart(2, '0')}`,
      '/',
      bucket,
      'photos',
      USER_AGENTS.rcloneCurrent,
      {
        UserPolicyList: [
          {
            PolicyName: 'PhotoSync',
            PolicyDocument: document(
              allow('AllOnPhotos', 's3:*', [bucketArn(bucket), `${bucketArn(bucket)}/*`]),
            ),
          },
        ],
      },
    );
  }
  // 50 analysts: group policies with an explicit Deny on PII, some exporters, some personal sandboxes.
  // IAM groups as get-account-authorization-details lists them (IDs drawn in the order listed).
  const group = (name: string, day: number, inline: readonly Json[], attached: readonly Json[]): Json => ({
    Path: '/',
    GroupName: name,
    GroupId: `AGPA${rng.chars(BASE32, 17)}`,
    Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    CreateDate: created(day),
    GroupPolicyList: inline,
    AttachedManagedPolicies: attached,
  });
  identities.groups.push(
    group(
      'Analysts',
      3,
      [
        {
          PolicyName: 'DenyPii',
          PolicyDocument: document(
            deny('NoPii', ['s3:GetObject', 's3:GetObjectVersion'], 'arn:aws:s3:::acme-datalake-*/*/pii/*'),
          ),
        },
      ],
      [attachment(DATALAKE_READ)],
    ),
    group('Exporters', 4, [], [attachment(BI_EXPORT_WRITE)]),
    group(
      'DBA',
      5,
      [
        {
          PolicyName: 'DatabaseBackups',
          PolicyDocument: document(
            allow(
              'AllOnBackups',
              's3:*',
              DB_BUCKETS.flatMap((b) => [bucketArn(b), `${bucketArn(b)}/*`]),
            ),
          ),
        },
      ],
      [],
    ),
  );
  for (let i = 0; i < 50; i++) {
    const name = `analyst-${PEOPLE[i % PEOPLE.length]}-${String(Math.floor(i / PEOPLE.length) + 1).padStart(2, '0')}`;
    const agents = i % 3 === 0 ? USER_AGENTS.boto3 : i % 3 === 1 ? USER_AGENTS.awsCli : USER_AGENTS.java;
    const sandbox = i % 4 === 0;
    user(
      'analyst',
      name,
      '/people/',
      DATALAKE_BUCKETS[i % 3]!,
      `teams/${PEOPLE[i % PEOPLE.length]}`,
      agents,
      {
        GroupList: i % 2 === 0 ? ['Analysts', 'Exporters'] : ['Analysts'],
        ...(sandbox
          ? {
              UserPolicyList: [
                {
                  PolicyName: 'personal-sandbox',
                  PolicyDocument: document(
                    allow('Home', 's3:*', `${bucketArn('acme-datalake-sandbox')}/home/\${aws:username}/*`),
                  ),
                },
              ],
            }
          : {}),
        Tags: [{ Key: 'team', Value: i % 2 === 0 ? 'bi' : 'analytics' }],
      },
    );
  }
  // 10 DBAs: s3:* on the backup buckets through their group; the SCP denies deleting backups.
  for (let i = 0; i < 10; i++) {
    user('dba', `dba-${PEOPLE[i]}`, '/people/', DB_BUCKETS[i % 2]!, 'postgres', USER_AGENTS.awsCli, {
      GroupList: ['DBA'],
    });
  }
  // 25 CI deploy roles (GitHub OIDC) with a path, and 5 Terraform roles.
  const githubOidc = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  for (let i = 0; i < 25; i++) {
    const service = `${SERVICES[i % SERVICES.length]}${i >= SERVICES.length ? `-${Math.floor(i / SERVICES.length) + 1}` : ''}`;
    const bucket = ARTIFACT_BUCKETS[i % 2]!;
    role('ci', `deploy-${service}`, '/ci/', bucket, service, USER_AGENTS.githubCli, {
      AssumeRolePolicyDocument: trust({ Federated: githubOidc }, 'sts:AssumeRoleWithWebIdentity', {
        StringLike: { 'token.actions.githubusercontent.com:sub': `repo:acme/${service}:*` },
      }),
      RolePolicyList: [
        {
          PolicyName: `publish-${service}`,
          PolicyDocument: document(
            allow(
              'Publish',
              ['s3:PutObject', 's3:GetObject'],
              ARTIFACT_BUCKETS.slice(0, 2).map((b) => `${bucketArn(b)}/${service}/*`),
            ),
            allow('List', 's3:ListBucket', ARTIFACT_BUCKETS.slice(0, 2).map(bucketArn), {
              StringLike: { 's3:prefix': `${service}/*` },
            }),
          ),
        },
      ],
      AttachedManagedPolicies: [attachment(CI_COMMON)],
    });
  }
  for (let i = 0; i < 5; i++) {
    const env = ['prod', 'staging', 'dev', 'sandbox', 'shared'][i]!;
    role('terraform', `terraform-${env}`, '/ci/', ARTIFACT_BUCKETS[2]!, `env/${env}`, USER_AGENTS.terraform, {
      AssumeRolePolicyDocument: trust({ Federated: githubOidc }, 'sts:AssumeRoleWithWebIdentity'),
      RolePolicyList: [
        {
          PolicyName: 'terraform-s3',
          PolicyDocument: document(
            allow('ReadAll', ['s3:Get*', 's3:List*'], '*'),
            allow(
              'State',
              ['s3:PutObject', 's3:DeleteObject'],
              `${bucketArn('acme-terraform-state')}/env/${env}/*`,
            ),
            allow('Tags', 's3:PutBucketTagging', '*'),
          ),
        },
      ],
    });
  }
  // 30 application roles with a permissions boundary narrower than their identity policy.
  for (let i = 0; i < 30; i++) {
    const name = `${APPS[i % APPS.length]}${i >= APPS.length ? `-${Math.floor(i / APPS.length) + 1}` : ''}`;
    const bucket = MEDIA_BUCKETS[i % MEDIA_BUCKETS.length]!;
    role('app', name, '/app/', bucket, `tenants/t-${String(i).padStart(3, '0')}`, USER_AGENTS.boto3, {
      AssumeRolePolicyDocument: trust({
        Service: i % 2 === 0 ? 'lambda.amazonaws.com' : 'ec2.amazonaws.com',
      }),
      RolePolicyList: [
        {
          PolicyName: 'media-access',
          PolicyDocument: document(
            allow(
              'AllOnMedia',
              's3:*',
              MEDIA_BUCKETS.flatMap((b) => [bucketArn(b), `${bucketArn(b)}/*`]),
            ),
          ),
        },
      ],
      AttachedManagedPolicies: i % 2 === 0 ? [attachment(LAMBDA_BASIC)] : [],
      PermissionsBoundary: boundary(APP_BOUNDARY),
    });
  }
  // 20 ETL service roles: read-only everywhere, write to staging; an explicit Deny on deletes.
  for (let i = 0; i < 20; i++) {
    const name = `etl-${ETL_JOBS[i % ETL_JOBS.length]}-${String(Math.floor(i / ETL_JOBS.length) + 1).padStart(2, '0')}`;
    role(
      'etl',
      name,
      '/service-role/',
      'acme-warehouse-staging',
      `loads/${ETL_JOBS[i % ETL_JOBS.length]}`,
      [...USER_AGENTS.java, ...USER_AGENTS.boto3],
      {
        AssumeRolePolicyDocument: trust({ Service: 'glue.amazonaws.com' }),
        AttachedManagedPolicies: [attachment(S3_READ_ONLY), attachment(ETL_WRITER)],
      },
    );
  }
  // 10 cross-account callers: 8 partner roles (legacy messages), 2 vendor uploaders (same organization).
  for (let i = 0; i < 10; i++) {
    const vendor = i >= 8;
    const name = vendor ? `vendor-upload-${i - 7}` : i % 2 === 0 ? 'analytics-etl' : 'reporting';
    list.push({
      archetype: 'partner',
      kind: 'cross-account',
      name,
      path: '/',
      account: vendor ? VENDOR : PARTNER,
      id: `AROA${rng.chars(BASE32, 17)}`,
      accessKey: `ASIA${rng.chars(BASE32, 16)}`,
      sourceIp: ip('198.51.100'),
      userAgents: vendor ? USER_AGENTS.awsCli : USER_AGENTS.boto3,
      bucket: vendor ? 'acme-vendor-drop' : 'acme-partner-exports',
      prefix: vendor ? 'incoming' : 'exports',
    });
  }
  return { list, identities };
}

// ---------------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------------

/** Which policy an enhanced message blames, in S3's words. */
type Blame =
  | 'no identity-based policy allows'
  | 'no permissions boundary allows'
  | 'no resource-based policy allows'
  | 'explicit deny in an identity-based policy'
  | 'explicit deny in a resource-based policy'
  | 'explicit deny in a service control policy';

interface Denial {
  readonly action: string;
  /** Absent for actions without a resource type (`s3:ListAllMyBuckets`): the message then has no `on resource`. */
  readonly resource?: string;
  readonly blame: Blame;
  /** The legacy `Access Denied` message: cross-organization callers, and some older same-account events. */
  readonly legacy: boolean;
}

interface S3Call {
  readonly eventName: string;
  readonly bucket?: string;
  readonly key?: string;
  /** Extra request parameters (headers and query parameters as CloudTrail records them). */
  readonly params?: Json;
  readonly denial?: Denial;
  /** A non-authorization failure (`NoSuchKey`). */
  readonly errorCode?: string;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

interface Session {
  readonly principal: Principal;
  readonly name: string;
  readonly agent: string;
  readonly created: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function dayPath(rng: Random): string {
  return `2026/11/${pad2(rng.int(28) + 1)}`;
}

function fileName(rng: Random, extensions: readonly string[]): string {
  const stem = rng.pick([
    'part',
    'chunk',
    'dump',
    'report',
    'IMG',
    'clip',
    'export',
    'data',
    'log',
    'snapshot',
  ]);
  return `${stem}-${String(rng.int(100_000)).padStart(5, '0')}.${rng.pick(extensions)}`;
}

const versionId = (rng: Random): string => rng.chars(`${BASE64.slice(0, 62)}._`, 32);

function uploadId(rng: Random): string {
  return rng.chars(`${BASE64.slice(0, 62)}._-`, 86);
}

/** Pick a denied call for the principal's job; each is one the generated policies really deny. */
function deniedCall(p: Principal, rng: Random): S3Call {
  const legacyOld = rng.chance(0.1);
  const d = (action: string, resource: string | undefined, blame: Blame, legacy = legacyOld): Denial => ({
    action,
    ...(resource !== undefined ? { resource } : {}),
    blame,
    legacy,
  });
  // A denied call on one object, named by the message with the action it needs there.
  const onObject = (
    eventName: string,
    bucket: string,
    key: string,
    action: string,
    blame: Blame,
    params?: Json,
  ): S3Call => ({
    eventName,
    bucket,
    key,
    ...(params !== undefined ? { params } : {}),
    denial: d(action, objectArn(bucket, key), blame),
  });
  const bucketIndex = BACKUP_BUCKETS.indexOf(p.bucket);
  switch (p.archetype) {
    case 'backup': {
      const key = `${p.prefix}/${dayPath(rng)}/${fileName(rng, ['tar.zst', 'bin', 'json'])}`;
      const listBucketMissing = bucketIndex < 4;
      const choices: [number, () => S3Call][] = [
        [
          3,
          () => ({
            eventName: 'CreateBucket',
            bucket: p.bucket,
            params: createBucketParams(),
            denial: d('s3:CreateBucket', bucketArn(p.bucket), 'no identity-based policy allows'),
          }),
        ],
        [
          2,
          () => onObject('DeleteObject', p.bucket, key, 's3:DeleteObject', 'no identity-based policy allows'),
        ],
        [
          1,
          () =>
            onObject(
              'AbortMultipartUpload',
              p.bucket,
              key,
              's3:AbortMultipartUpload',
              'no identity-based policy allows',
              { uploadId: uploadId(rng) },
            ),
        ],
      ];
      if (listBucketMissing) {
        choices.push(
          [
            4,
            () => ({
              eventName: 'ListObjects',
              bucket: p.bucket,
              params: listV2Params(`${p.prefix}/`),
              denial: d('s3:ListBucket', bucketArn(p.bucket), 'no identity-based policy allows'),
            }),
          ],
          // rclone HEADs the remote root first; without ListBucket a missing key answers 403 naming ListBucket.
          [
            3,
            () => ({
              eventName: 'HeadObject',
              bucket: p.bucket,
              key: p.prefix,
              denial: d('s3:ListBucket', bucketArn(p.bucket), 'no identity-based policy allows'),
            }),
          ],
        );
      }
      if (p.userAgents === USER_AGENTS.rcloneOld) {
        // rclone before 1.60 sent x-amz-acl: private on every upload (RCLONE.md).
        choices.push([
          4,
          () =>
            onObject('PutObject', p.bucket, key, 's3:PutObjectAcl', 'no identity-based policy allows', {
              'x-amz-acl': 'private',
            }),
        ]);
      }
      return rng.weighted(choices)();
    }
    case 'photoSync': {
      const key = `photos/${2015 + rng.int(11)}/${fileName(rng, ['jpg', 'heic', 'mp4'])}`;
      return {
        eventName: 'DeleteObject',
        bucket: p.bucket,
        key,
        denial: d('s3:DeleteObject', objectArn(p.bucket, key), 'explicit deny in a resource-based policy'),
      };
    }
    case 'analyst': {
      const bucket = rng.pick(DATALAKE_BUCKETS.slice(0, 2));
      return rng.weighted<() => S3Call>([
        [
          4,
          () => {
            const key = `${rng.pick(['customers', 'orders', 'payments'])}/pii/${fileName(rng, ['parquet'])}`;
            return {
              eventName: 'GetObject',
              bucket,
              key,
              denial: d('s3:GetObject', objectArn(bucket, key), 'explicit deny in an identity-based policy'),
            };
          },
        ],
        [
          3,
          () => {
            const key = `${p.prefix}/${fileName(rng, ['csv', 'parquet'])}`;
            return {
              eventName: 'PutObject',
              bucket: 'acme-datalake-curated',
              key,
              bytesIn: 1000 + rng.int(5_000_000),
              denial: d(
                's3:PutObject',
                objectArn('acme-datalake-curated', key),
                'no identity-based policy allows',
              ),
            };
          },
        ],
        [
          2,
          () => ({
            eventName: 'ListBuckets',
            denial: d('s3:ListAllMyBuckets', undefined, 'no identity-based policy allows'),
          }),
        ],
        [
          2,
          () => {
            const key = `${rng.pick(['orders', 'events'])}/${dayPath(rng)}/${fileName(rng, ['parquet'])}`;
            return {
              eventName: 'GetObject',
              bucket,
              key,
              params: { versionId: versionId(rng) },
              denial: d('s3:GetObjectVersion', objectArn(bucket, key), 'no identity-based policy allows'),
            };
          },
        ],
        [
          1,
          () => {
            const key = `shared/${fileName(rng, ['csv'])}`;
            return {
              eventName: 'DeleteObject',
              bucket: 'acme-datalake-sandbox',
              key,
              denial: d(
                's3:DeleteObject',
                objectArn('acme-datalake-sandbox', key),
                'no identity-based policy allows',
              ),
            };
          },
        ],
      ])();
    }
    case 'dba': {
      const key = `postgres/2026-${pad2(rng.int(11) + 1)}-01/base.tar.gz`;
      return rng.weighted<() => S3Call>([
        [
          5,
          () => ({
            eventName: 'DeleteObject',
            bucket: p.bucket,
            key,
            denial: d(
              's3:DeleteObject',
              objectArn(p.bucket, key),
              'explicit deny in a service control policy',
            ),
          }),
        ],
        [
          1,
          () => ({
            eventName: 'PutBucketLifecycle',
            bucket: p.bucket,
            params: { lifecycle: '' },
            denial: d(
              's3:PutLifecycleConfiguration',
              bucketArn(p.bucket),
              'explicit deny in a service control policy',
            ),
          }),
        ],
      ])();
    }
    case 'ci': {
      const release = `${p.prefix}/releases/v${rng.int(5)}.${rng.int(20)}.${rng.int(10)}`;
      return rng.weighted<() => S3Call>([
        [
          3,
          () => {
            const key = `${release}/app.zip`;
            return {
              eventName: 'PutObject',
              bucket: p.bucket,
              key,
              params: { 'x-amz-acl': 'public-read' },
              bytesIn: 18_874_368,
              denial: d('s3:PutObjectAcl', objectArn(p.bucket, key), 'no identity-based policy allows'),
            };
          },
        ],
        [
          2,
          () => {
            const key = `${rng.pick(SERVICES)}-shared/releases/latest/app.zip`;
            return {
              eventName: 'PutObject',
              bucket: p.bucket,
              key,
              bytesIn: 18_874_368,
              denial: d('s3:PutObject', objectArn(p.bucket, key), 'no identity-based policy allows'),
            };
          },
        ],
        [
          2,
          () => {
            const key = `${release}/assets/${fileName(rng, ['js', 'css', 'png'])}`;
            const source = `${p.prefix}/${fileName(rng, ['js', 'css', 'png'])}`;
            return {
              eventName: 'CopyObject',
              bucket: p.bucket,
              key,
              params: {
                'x-amz-copy-source': `acme-release-assets/${source}`,
                'x-amz-metadata-directive': 'COPY',
              },
              denial: d(
                's3:GetObject',
                objectArn('acme-release-assets', source),
                'no identity-based policy allows',
              ),
            };
          },
        ],
        [
          1,
          () => {
            const key = `${p.prefix}/releases/v0.${rng.int(9)}.0/app.zip`;
            return {
              eventName: 'DeleteObject',
              bucket: p.bucket,
              key,
              denial: d('s3:DeleteObject', objectArn(p.bucket, key), 'no identity-based policy allows'),
            };
          },
        ],
      ])();
    }
    case 'terraform': {
      const bucket = rng.pick([...ARTIFACT_BUCKETS, ...LOG_BUCKETS]);
      return rng.weighted<() => S3Call>([
        [2, () => createBucketDenied(rng.pick(['acme-build-cache', 'acme-feature-flags']), d)],
        [
          3,
          () => ({
            eventName: 'PutBucketPolicy',
            bucket,
            params: {
              bucketPolicy: document(allow('Placeholder', 's3:GetObject', `${bucketArn(bucket)}/*`)),
              policy: '',
            },
            denial: d('s3:PutBucketPolicy', bucketArn(bucket), 'no identity-based policy allows'),
          }),
        ],
        [
          2,
          () => ({
            eventName: 'PutBucketVersioning',
            bucket,
            params: {
              versioning: '',
              VersioningConfiguration: {
                Status: 'Enabled',
                xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
              },
            },
            denial: d('s3:PutBucketVersioning', bucketArn(bucket), 'no identity-based policy allows'),
          }),
        ],
      ])();
    }
    case 'app': {
      const key = `${p.prefix}/${fileName(rng, ['jpg', 'png', 'mp4'])}`;
      return rng.weighted<() => S3Call>([
        [
          4,
          () => onObject('DeleteObject', p.bucket, key, 's3:DeleteObject', 'no permissions boundary allows'),
        ],
        [
          2,
          () =>
            onObject(
              'PutObjectTagging',
              p.bucket,
              key,
              's3:PutObjectTagging',
              'no permissions boundary allows',
              { tagging: '', Tagging: { TagSet: { Tag: { Key: 'state', Value: 'processed' } } } },
            ),
        ],
        [
          1,
          () =>
            onObject(
              'AbortMultipartUpload',
              p.bucket,
              key,
              's3:AbortMultipartUpload',
              'no permissions boundary allows',
              { uploadId: uploadId(rng) },
            ),
        ],
      ])();
    }
    case 'etl': {
      const key = `${rng.pick(['sales', 'clicks', 'stock'])}/${dayPath(rng)}/${fileName(rng, ['parquet'])}`;
      return rng.weighted<() => S3Call>([
        [
          3,
          () => ({
            eventName: 'CreateMultipartUpload',
            bucket: 'acme-datalake-curated',
            key,
            params: { uploads: '' },
            denial: d(
              's3:PutObject',
              objectArn('acme-datalake-curated', key),
              'no identity-based policy allows',
            ),
          }),
        ],
        [
          2,
          () => ({
            eventName: 'PutObject',
            bucket: 'acme-datalake-curated',
            key,
            bytesIn: 1000 + rng.int(4_000_000),
            denial: d(
              's3:PutObject',
              objectArn('acme-datalake-curated', key),
              'no identity-based policy allows',
            ),
          }),
        ],
        [
          2,
          () => {
            const staging = `${p.prefix}/${dayPath(rng)}/${fileName(rng, ['parquet'])}`;
            return {
              eventName: 'DeleteObject',
              bucket: 'acme-warehouse-staging',
              key: staging,
              denial: d(
                's3:DeleteObject',
                objectArn('acme-warehouse-staging', staging),
                'explicit deny in an identity-based policy',
              ),
            };
          },
        ],
      ])();
    }
    case 'partner': {
      const vendor = p.account === VENDOR;
      if (vendor) {
        const key = `incoming/${dayPath(rng)}/${fileName(rng, ['csv', 'xml'])}`;
        // Same organization: the enhanced message reaches the vendor; no ACL header means no match.
        return {
          eventName: 'PutObject',
          bucket: p.bucket,
          key,
          bytesIn: 50_000 + rng.int(500_000),
          denial: d('s3:PutObject', objectArn(p.bucket, key), 'no resource-based policy allows', false),
        };
      }
      return rng.weighted<() => S3Call>([
        [
          3,
          () => {
            const key = `internal/${dayPath(rng)}/${fileName(rng, ['csv'])}`;
            return {
              eventName: 'GetObject',
              bucket: p.bucket,
              key,
              denial: d('s3:GetObject', objectArn(p.bucket, key), 'no resource-based policy allows', true),
            };
          },
        ],
        [
          2,
          () => ({
            eventName: 'ListObjects',
            bucket: p.bucket,
            params: listV2Params('internal/'),
            denial: d('s3:ListBucket', bucketArn(p.bucket), 'no resource-based policy allows', true),
          }),
        ],
        [
          1,
          () => {
            const key = `exports/${dayPath(rng)}/${fileName(rng, ['csv'])}`;
            return {
              eventName: 'PutObject',
              bucket: p.bucket,
              key,
              denial: d('s3:PutObject', objectArn(p.bucket, key), 'no resource-based policy allows', true),
            };
          },
        ],
      ])();
    }
  }
}

function createBucketDenied(
  bucket: string,
  d: (action: string, resource: string | undefined, blame: Blame) => Denial,
): S3Call {
  return {
    eventName: 'CreateBucket',
    bucket,
    params: createBucketParams(),
    denial: d('s3:CreateBucket', bucketArn(bucket), 'no identity-based policy allows'),
  };
}

/** Pick a call the principal's policies allow. */
function allowedCall(p: Principal, rng: Random): S3Call {
  const object = (bucket: string, key: string, eventName: string, extra: Partial<S3Call> = {}): S3Call => ({
    eventName,
    bucket,
    key,
    ...extra,
  });
  switch (p.archetype) {
    case 'backup': {
      const key = `${p.prefix}/${dayPath(rng)}/${fileName(rng, ['tar.zst', 'bin', 'json'])}`;
      const id = uploadId(rng);
      return rng.weighted<() => S3Call>([
        [4, () => object(p.bucket, key, 'PutObject', { bytesIn: 1000 + rng.int(20_000_000) })],
        [2, () => object(p.bucket, key, 'HeadObject')],
        [1, () => object(p.bucket, key, 'CreateMultipartUpload', { params: { uploads: '' } })],
        [
          3,
          () =>
            object(p.bucket, key, 'UploadPart', {
              params: { partNumber: String(rng.int(200) + 1), uploadId: id },
              bytesIn: 5_242_880,
            }),
        ],
        [1, () => object(p.bucket, key, 'CompleteMultipartUpload', { params: { uploadId: id } })],
        [1, () => object(p.bucket, key, 'GetObject', { bytesOut: 1000 + rng.int(20_000_000) })],
      ])();
    }
    case 'photoSync': {
      const key = `photos/${2015 + rng.int(11)}/${fileName(rng, ['jpg', 'heic', 'mp4'])}`;
      return rng.weighted<() => S3Call>([
        [3, () => object(p.bucket, key, 'PutObject', { bytesIn: 2_000_000 + rng.int(8_000_000) })],
        [2, () => ({ eventName: 'ListObjects', bucket: p.bucket, params: listV2Params('photos/') })],
        [2, () => object(p.bucket, key, 'HeadObject')],
      ])();
    }
    case 'analyst': {
      const bucket = rng.pick(DATALAKE_BUCKETS.slice(0, 3));
      const key = `${rng.pick(['orders', 'events', 'sessions'])}/${dayPath(rng)}/${fileName(rng, ['parquet', 'csv'])}`;
      return rng.weighted<() => S3Call>([
        [4, () => object(bucket, key, 'GetObject', { bytesOut: 10_000 + rng.int(50_000_000) })],
        [2, () => ({ eventName: 'ListObjects', bucket, params: listV2Params(`${key.split('/')[0]}/`) })],
        [
          1,
          () =>
            object('acme-bi-exports', `${p.prefix}/${fileName(rng, ['csv'])}`, 'PutObject', {
              bytesIn: 4096 + rng.int(1_000_000),
            }),
        ],
        // A key that does not exist, read by someone with ListBucket: 404, not 403.
        [1, () => object(bucket, key, 'GetObject', { errorCode: 'NoSuchKey' })],
      ])();
    }
    case 'dba': {
      const key = `postgres/2026-11-${pad2(rng.int(28) + 1)}/base.tar.gz`;
      return rng.weighted<() => S3Call>([
        [3, () => object(p.bucket, key, 'PutObject', { bytesIn: 50_000_000 + rng.int(500_000_000) })],
        [2, () => ({ eventName: 'ListObjects', bucket: p.bucket, params: listV2Params('postgres/') })],
        [1, () => object(p.bucket, key, 'GetObject', { bytesOut: 50_000_000 })],
      ])();
    }
    case 'ci': {
      const key = `${p.prefix}/releases/v${rng.int(5)}.${rng.int(20)}.${rng.int(10)}/${fileName(rng, ['zip', 'sha256', 'tgz'])}`;
      return rng.weighted<() => S3Call>([
        [4, () => object(p.bucket, key, 'PutObject', { bytesIn: 1000 + rng.int(30_000_000) })],
        [
          1,
          () => ({
            eventName: 'ListObjects',
            bucket: p.bucket,
            params: listV2Params(`${p.prefix}/releases/`),
          }),
        ],
        [1, () => ({ eventName: 'GetBucketLocation', bucket: p.bucket, params: { location: '' } })],
      ])();
    }
    case 'terraform': {
      const bucket = rng.pick([...ARTIFACT_BUCKETS, ...LOG_BUCKETS]);
      return rng.weighted<() => S3Call>([
        [
          3,
          () =>
            object('acme-terraform-state', `${p.prefix}/terraform.tfstate`, 'GetObject', {
              bytesOut: 200_000,
            }),
        ],
        [
          1,
          () =>
            object('acme-terraform-state', `${p.prefix}/terraform.tfstate`, 'PutObject', {
              bytesIn: 200_000,
            }),
        ],
        [2, () => ({ eventName: 'GetBucketPolicy', bucket, params: { policy: '' } })],
        [2, () => ({ eventName: 'GetBucketVersioning', bucket, params: { versioning: '' } })],
        [2, () => ({ eventName: 'GetBucketAcl', bucket, params: { acl: '' } })],
        [
          1,
          () => ({
            eventName: 'PutBucketTagging',
            bucket,
            params: { tagging: '', Tagging: { TagSet: { Tag: { Key: 'managed-by', Value: 'terraform' } } } },
          }),
        ],
      ])();
    }
    case 'app': {
      const key = `${p.prefix}/${fileName(rng, ['jpg', 'png', 'mp4'])}`;
      const id = uploadId(rng);
      return rng.weighted<() => S3Call>([
        [3, () => object(p.bucket, key, 'GetObject', { bytesOut: 100_000 + rng.int(5_000_000) })],
        [3, () => object(p.bucket, key, 'PutObject', { bytesIn: 100_000 + rng.int(5_000_000) })],
        [1, () => object(p.bucket, key, 'CreateMultipartUpload', { params: { uploads: '' } })],
        [
          1,
          () =>
            object(p.bucket, key, 'UploadPart', {
              params: { partNumber: String(rng.int(50) + 1), uploadId: id },
              bytesIn: 8_388_608,
            }),
        ],
        [1, () => ({ eventName: 'ListObjects', bucket: p.bucket, params: listV2Params(`${p.prefix}/`) })],
      ])();
    }
    case 'etl': {
      const logBucket = rng.pick(LOG_BUCKETS);
      const logKey = `AWSLogs/${ACCOUNT}/${rng.pick(['elasticloadbalancing', 'CloudTrail'])}/${REGION}/${dayPath(rng)}/${fileName(rng, ['log.gz', 'json.gz'])}`;
      const key = `${p.prefix}/${dayPath(rng)}/${fileName(rng, ['parquet'])}`;
      return rng.weighted<() => S3Call>([
        [4, () => object(logBucket, logKey, 'GetObject', { bytesOut: 10_000 + rng.int(2_000_000) })],
        [
          2,
          () => ({
            eventName: 'ListObjects',
            bucket: logBucket,
            params: listV2Params(`AWSLogs/${ACCOUNT}/`),
          }),
        ],
        [
          2,
          () => object('acme-warehouse-staging', key, 'PutObject', { bytesIn: 10_000 + rng.int(20_000_000) }),
        ],
      ])();
    }
    case 'partner': {
      if (p.account === VENDOR) {
        const key = `incoming/${dayPath(rng)}/${fileName(rng, ['csv', 'xml'])}`;
        return object(p.bucket, key, 'PutObject', {
          params: { 'x-amz-acl': 'bucket-owner-full-control' },
          bytesIn: 50_000,
        });
      }
      const key = `exports/${dayPath(rng)}/${fileName(rng, ['csv'])}`;
      return object(p.bucket, key, 'GetObject', { bytesOut: 10_000 + rng.int(1_000_000) });
    }
  }
}

function createBucketParams(): Json {
  return {
    CreateBucketConfiguration: {
      LocationConstraint: REGION,
      xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
    },
  };
}

/** ListObjectsV2 is recorded as eventName `ListObjects` with `list-type: 2` (AWS-FACTS.md §1.1). */
function listV2Params(prefix: string): Json {
  return { 'list-type': '2', 'encoding-type': 'url', 'max-keys': '1000', prefix, delimiter: '/' };
}

// ---------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------

function userIdentity(s: Session): Json {
  const p = s.principal;
  if (p.kind === 'user') {
    return {
      type: 'IAMUser',
      principalId: p.id,
      arn: `arn:aws:iam::${ACCOUNT}:user${p.path}${p.name}`,
      accountId: ACCOUNT,
      accessKeyId: p.accessKey,
      userName: p.name,
    };
  }
  if (p.kind === 'cross-account') {
    // The bucket owner's trail records another account's caller only by account and principal id.
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
    return { type: 'AWSAccount', principalId: `${p.id}:${s.name}`, accountId: p.account };
  }
  const federated = p.archetype === 'ci' || p.archetype === 'terraform';
  return {
    type: 'AssumedRole',
    principalId: `${p.id}:${s.name}`,
    arn: sessionArn(s),
    accountId: ACCOUNT,
    accessKeyId: p.accessKey,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: p.id,
        arn: `arn:aws:iam::${ACCOUNT}:role${p.path}${p.name}`,
        accountId: ACCOUNT,
        userName: p.name,
      },
      webIdFederationData: federated
        ? {
            federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
            attributes: {},
          }
        : {},
      attributes: { creationDate: s.created, mfaAuthenticated: 'false' },
    },
  };
}

function sessionArn(s: Session): string {
  const p = s.principal;
  if (p.kind === 'user') return `arn:aws:iam::${ACCOUNT}:user${p.path}${p.name}`;
  return `arn:aws:sts::${p.account}:assumed-role/${p.name}/${s.name}`;
}

/**
 * The S3 message format, enhanced since 2024 for same-account and same-organization requests.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
function denialMessage(s: Session, denial: Denial): string {
  if (denial.legacy) return 'Access Denied';
  const on = denial.resource !== undefined ? ` on resource: "${denial.resource}"` : '';
  const head = `User: ${sessionArn(s)} is not authorized to perform: ${denial.action}${on}`;
  return denial.blame.startsWith('no ')
    ? `${head} because ${denial.blame} the ${denial.action} action`
    : `${head} with an ${denial.blame}`;
}

/** Management events among the S3 calls (data events are the object-level ones). */
const S3_MANAGEMENT_EVENTS = new Set([
  'CreateBucket',
  'ListBuckets',
  'PutBucketPolicy',
  'GetBucketPolicy',
  'PutBucketVersioning',
  'GetBucketVersioning',
  'GetBucketAcl',
  'PutBucketTagging',
  'GetBucketLocation',
  'PutBucketLifecycle',
]);
const READ_ONLY = /^(Get|Head|List)/;

function s3Record(s: Session, call: S3Call, time: string, rng: Random): Json {
  const host =
    call.bucket !== undefined ? `${call.bucket}.s3.${REGION}.amazonaws.com` : `s3.${REGION}.amazonaws.com`;
  const management = S3_MANAGEMENT_EVENTS.has(call.eventName);
  const resources: Json[] = [];
  if (call.bucket !== undefined) {
    if (call.key !== undefined)
      resources.push({ type: 'AWS::S3::Object', ARN: objectArn(call.bucket, call.key) });
    else if (typeof call.params?.prefix === 'string') {
      resources.push({ type: 'AWS::S3::Object', ARNPrefix: objectArn(call.bucket, call.params.prefix) });
    }
    resources.push({ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: bucketArn(call.bucket) });
  }
  const failed = call.denial !== undefined || call.errorCode !== undefined;
  const cipher = rng.chance(0.9) ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256';
  return {
    eventVersion: management ? '1.09' : '1.10',
    userIdentity: userIdentity(s),
    eventTime: time,
    eventSource: 's3.amazonaws.com',
    eventName: call.eventName,
    awsRegion: REGION,
    sourceIPAddress: s.principal.sourceIp,
    // S3 wraps the caller's user agent in brackets (AWS-FACTS.md §4).
    userAgent: `[${s.agent}]`,
    ...(call.denial !== undefined
      ? { errorCode: 'AccessDenied', errorMessage: denialMessage(s, call.denial) }
      : call.errorCode !== undefined
        ? { errorCode: call.errorCode, errorMessage: 'The specified key does not exist.' }
        : {}),
    requestParameters: {
      ...(call.bucket !== undefined ? { bucketName: call.bucket } : {}),
      ...(call.key !== undefined ? { key: call.key } : {}),
      ...call.params,
      Host: host,
    },
    responseElements:
      failed || call.eventName !== 'PutObject' ? null : { 'x-amz-server-side-encryption': 'AES256' },
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: cipher,
      bytesTransferredIn: failed ? 0 : (call.bytesIn ?? 0),
      ...(failed ? {} : { SSEApplied: 'Default_SSE_S3' }),
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.chars(BASE64, 76),
      bytesTransferredOut: failed ? 243 : (call.bytesOut ?? 0),
    },
    requestID: rng.chars(UPPER_DIGITS, 16),
    eventID: rng.uuid(),
    readOnly: READ_ONLY.test(call.eventName),
    ...(resources.length > 0 ? { resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: management,
    recipientAccountId: ACCOUNT,
    ...(s.principal.kind === 'cross-account' ? { sharedEventID: rng.uuid() } : {}),
    eventCategory: management ? 'Management' : 'Data',
    tlsDetails: {
      tlsVersion: cipher.startsWith('TLS_') ? 'TLSv1.3' : 'TLSv1.2',
      cipherSuite: cipher,
      clientProvidedHostHeader: host,
    },
  };
}

/** Other services' events the same callers make: the trail is not S3-only. */
function otherRecord(s: Session, time: string, rng: Random): Json {
  const base = (eventSource: string, eventName: string, extra: Json): Json => ({
    eventVersion: '1.08',
    userIdentity: userIdentity(s),
    eventTime: time,
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: s.principal.sourceIp,
    userAgent: s.agent,
    requestParameters: null,
    responseElements: null,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${eventSource.split('.')[0]}.${REGION}.amazonaws.com`,
    },
    ...extra,
  });
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${rng.uuid()}`;
  return rng.weighted<() => Json>([
    [4, () => base('sts.amazonaws.com', 'GetCallerIdentity', {})],
    [
      3,
      () =>
        base('kms.amazonaws.com', 'Decrypt', {
          requestParameters: {
            encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
            encryptionContext: { 'aws:s3:arn': bucketArn(s.principal.bucket) },
          },
          resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
        }),
    ],
    [
      2,
      () =>
        base('ec2.amazonaws.com', 'DescribeInstances', {
          requestParameters: { instancesSet: {}, filterSet: {} },
        }),
    ],
    [
      1,
      () => {
        const action = 'iam:GetUser';
        return base('iam.amazonaws.com', 'GetUser', {
          awsRegion: 'us-east-1',
          errorCode: 'AccessDenied',
          errorMessage: `User: ${sessionArn(s)} is not authorized to perform: ${action} on resource: user ${s.principal.name} because no identity-based policy allows the ${action} action`,
          requestParameters: { userName: s.principal.name },
        });
      },
    ],
    [
      1,
      () =>
        base('secretsmanager.amazonaws.com', 'GetSecretValue', {
          errorCode: 'AccessDeniedException',
          errorMessage: `User: ${sessionArn(s)} is not authorized to perform: secretsmanager:GetSecretValue on resource: backup/${s.principal.name} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
          requestParameters: { secretId: `backup/${s.principal.name}` },
        }),
    ],
  ])();
}

// ---------------------------------------------------------------------------------------------------
// Trail and snapshot
// ---------------------------------------------------------------------------------------------------

export interface TrailMix {
  readonly denied: number;
  readonly deniedLegacy: number;
  readonly succeeded: number;
  readonly otherS3Errors: number;
  readonly notS3: number;
  readonly duplicates: number;
  readonly principals: number;
  readonly buckets: number;
}

export interface GeneratedInputs {
  readonly trail: { readonly Records: readonly Json[] };
  readonly snapshot: Json;
  readonly bucketPolicies: Readonly<Record<string, Json>>;
  readonly scp: Json;
  readonly mix: TrailMix;
}

export interface GenerateOptions {
  /** Number of records in the trail (default 100,000). */
  readonly events?: number;
  readonly seed?: number;
  /**
   * Share of the records (before duplicates) that are S3 AccessDenied events, above 0 and at most 0.9
   * (default {@link DEFAULT_DENIED_SHARE}). The rest keeps the default's proportions: one third non-S3
   * events, two thirds S3 calls that did not fail on authorization.
   */
  readonly deniedShare?: number;
}

/** The bench trail's share of denied records: far above a real trail's, so that explain does much work. */
export const DEFAULT_DENIED_SHARE = 0.7;

/** Checks a denied share given on the command line or in options; throws with the reason. */
export function checkDeniedShare(share: number): number {
  if (!Number.isFinite(share) || share <= 0 || share > 0.9) {
    throw new Error(`the denied share must be a number above 0 and at most 0.9, got ${share}`);
  }
  return share;
}

/** Session weights per archetype: backup jobs and analysts dominate, as in a typical account. */
const SESSION_LENGTH: Readonly<Record<Archetype, readonly [number, number]>> = {
  backup: [20, 200],
  photoSync: [10, 80],
  analyst: [3, 30],
  dba: [2, 10],
  ci: [5, 40],
  terraform: [10, 60],
  app: [5, 50],
  etl: [10, 120],
  partner: [3, 30],
};

/**
 * Builds the trail and the account it ran in, in memory. Deterministic: the same options give the same
 * values. The default mix per record: 10% non-S3 events, 20% S3 calls that did not fail on
 * authorization, 70% S3 AccessDenied (see {@link GenerateOptions.deniedShare}); 0.2% of records are
 * re-delivered duplicates (same eventID).
 */
export function buildInputs(options: GenerateOptions = {}): GeneratedInputs {
  const total = options.events ?? 100_000;
  const deniedShare = checkDeniedShare(options.deniedShare ?? DEFAULT_DENIED_SHARE);
  const notS3Below = (1 - deniedShare) / 3;
  const allowedBelow = 1 - deniedShare;
  const rng = new Random(options.seed ?? 20261128);
  const { list, identities } = principals(rng);
  const specs = managedPolicies();
  const records: Json[] = [];
  const mix = { denied: 0, deniedLegacy: 0, succeeded: 0, otherS3Errors: 0, notS3: 0, duplicates: 0 };
  const touched = new Set<string>();
  const spanMs = 7 * 24 * 3600 * 1000;
  const meanGapMs = spanMs / Math.max(1, total);
  let clock = TRAIL_START_MS;

  while (records.length < total) {
    const principal = rng.pick(list);
    const [min, max] = SESSION_LENGTH[principal.archetype];
    const length = min + rng.int(max - min + 1);
    const created = new Date(clock - rng.int(600_000)).toISOString().replace('.000Z', 'Z');
    const session: Session = {
      principal,
      name: sessionName(principal, rng),
      agent: rng.pick(principal.userAgents),
      created,
    };
    let t = clock;
    for (let i = 0; i < length && records.length < total; i++) {
      t += rng.int(3000);
      const time = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (records.length > 0 && rng.chance(0.002)) {
        const again = records[records.length - 1 - rng.int(Math.min(50, records.length))];
        if (again !== undefined) {
          records.push(again);
          mix.duplicates++;
          continue;
        }
      }
      const r = rng.next();
      if (r < notS3Below) {
        records.push(otherRecord(session, time, rng));
        mix.notS3++;
      } else if (r < allowedBelow) {
        const call = allowedCall(principal, rng);
        if (call.errorCode !== undefined) mix.otherS3Errors++;
        else mix.succeeded++;
        if (call.bucket !== undefined) touched.add(call.bucket);
        records.push(s3Record(session, call, time, rng));
      } else {
        const call = deniedCall(principal, rng);
        mix.denied++;
        if (call.denial?.legacy === true) mix.deniedLegacy++;
        if (call.bucket !== undefined) touched.add(call.bucket);
        records.push(s3Record(session, call, time, rng));
      }
    }
    clock += Math.max(1, Math.round(meanGapMs * length * (0.5 + rng.next())));
  }

  const policies = specs.map((spec, i) => {
    const arn = managedPolicyArn(spec);
    return {
      PolicyName: spec.name,
      PolicyId: `ANPA${rng.chars(BASE32, 17)}`,
      Arn: arn,
      Path: spec.path,
      DefaultVersionId: `v${spec.defaultIndex + 1}`,
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: spec.name === APP_BOUNDARY.name ? 30 : 0,
      IsAttachable: true,
      CreateDate: `2025-0${(i % 9) + 1}-11T10:04:19+00:00`,
      UpdateDate: `2026-0${(i % 9) + 1}-11T10:04:19+00:00`,
      PolicyVersionList: spec.versions.map((doc, v) => ({
        Document: doc,
        VersionId: `v${v + 1}`,
        IsDefaultVersion: v === spec.defaultIndex,
        CreateDate: `${2025 + Math.min(1, v)}-0${v + 1}-0${v + 1}T09:00:00+00:00`,
      })),
    };
  });
  const snapshot: Json = {
    UserDetailList: identities.users,
    GroupDetailList: identities.groups,
    RoleDetailList: identities.roles,
    Policies: policies,
  };
  return {
    trail: { Records: records },
    snapshot,
    bucketPolicies: bucketPolicies(),
    scp: serviceControlPolicy(),
    mix: { ...mix, principals: list.length, buckets: touched.size },
  };
}

function sessionName(p: Principal, rng: Random): string {
  switch (p.archetype) {
    case 'ci':
    case 'terraform':
      return `gha-${10_000_000_000 + rng.int(900_000_000)}`;
    case 'app':
      return rng.chance(0.5) ? `i-0${rng.chars(HEX, 16)}` : `${p.name}-${rng.chars(HEX, 8)}`;
    case 'etl':
      return `GlueJobRunnerSession`;
    case 'partner':
      return rng.chance(0.5) ? `botocore-session-${1_700_000_000 + rng.int(90_000_000)}` : `ci-sync`;
    default:
      return p.name;
  }
}

export interface GeneratedTrailFiles {
  readonly directory: string;
  readonly trailFile: string;
  readonly trailBytes: number;
  readonly snapshotFile: string;
  /** `BUCKET=FILE` arguments, as `--bucket-policy` takes them. */
  readonly bucketPolicyArgs: readonly string[];
  readonly scpFile: string;
  readonly events: number;
  /** Share of denied records the trail was generated with. */
  readonly deniedShare: number;
  readonly mix: TrailMix;
}

/**
 * Writes the generated trail, snapshot, bucket policies and SCP into a fresh directory under the OS
 * temp directory (never into the repository).
 */
export function writeTrailFiles(
  options: GenerateOptions & { readonly directory?: string } = {},
): GeneratedTrailFiles {
  const events = options.events ?? 100_000;
  const seed = options.seed ?? 20261128;
  const deniedShare = options.deniedShare ?? DEFAULT_DENIED_SHARE;
  const share = deniedShare === DEFAULT_DENIED_SHARE ? '' : `-denied${deniedShare}`;
  const directory = options.directory ?? join(tmpdir(), `permission-auditor-bench-${seed}-${events}${share}`);
  const inputs = buildInputs({ events, seed, deniedShare });
  mkdirSync(join(directory, 'bucket-policies'), { recursive: true });
  const trailFile = join(directory, `${ACCOUNT}_CloudTrail_${REGION}_20261128T0000Z_bench.json`);
  const trailText = JSON.stringify(inputs.trail);
  writeFileSync(trailFile, trailText);
  const snapshotFile = join(directory, 'account-authorization-details.json');
  writeFileSync(snapshotFile, JSON.stringify(inputs.snapshot, null, 2));
  const bucketPolicyArgs = Object.entries(inputs.bucketPolicies).map(([bucket, policy]) => {
    const file = join(directory, 'bucket-policies', `${bucket}.json`);
    writeFileSync(file, JSON.stringify(policy, null, 2));
    return `${bucket}=${file}`;
  });
  const scpFile = join(directory, 'scp.json');
  writeFileSync(scpFile, JSON.stringify(inputs.scp, null, 2));
  return {
    directory,
    trailFile,
    trailBytes: Buffer.byteLength(trailText),
    snapshotFile,
    bucketPolicyArgs,
    scpFile,
    events,
    deniedShare,
    mix: inputs.mix,
  };
}

// `node --import tsx bench/generateTrail.ts [events]` writes the files and prints where they are.
if (import.meta.url === `file://${process.argv[1]}`) {
  const files = writeTrailFiles({ events: Number(process.argv[2] ?? 100_000) });
  console.log(JSON.stringify(files, null, 2));
}
