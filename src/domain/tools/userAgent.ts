/**
 * Recognises the client behind a CloudTrail `userAgent`, so that findings can speak about the job
 * ("rclone v1.60.1 running `sync`") rather than about a single API call.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import type { ClientTool } from '../explain/report.js';
import { boundedMemo } from '../policy/boundedMemo.js';

/** What the user agent says about the caller. */
export interface Client {
  readonly tool: ClientTool;
  /**
   * The tool's own version as it reported it (`v1.66.0` for rclone, `2.15.22` for aws-cli); for
   * `other`, that of the client `name` names (`3.1168.0` for the AWS SDK for JavaScript v3).
   */
  readonly version?: string;
  /**
   * For `other`, what the user agent names, in words (`AWS SDK for JavaScript v3`, `s3fs`, `AWS
   * Management Console`): a program or SDK without a value of its own in {@link ClientTool}.
   */
  readonly name?: string;
  /** aws-cli command (`s3.cp`, `s3.sync`, `s3api.put-object`) from its `md/command#` or `command/` marker. */
  readonly command?: string;
  /** The SDK underneath or, for `other`, what the caller is (`aws-sdk-go-v2/1.30.4`, `console`). */
  readonly sdk?: string;
  /** The user agent without CloudTrail's square brackets. Untrusted: escape before rendering. */
  readonly raw?: string;
}

interface ToolPattern {
  readonly tool: ClientTool;
  /** Group 1, when present and non-empty, is the version. */
  readonly pattern: RegExp;
  /** For `other`: the label placed in `sdk`. */
  readonly label?: string;
  /** For `other`: what it is, in words (the client's `name`). */
  readonly title?: string;
  readonly source: string;
}

/**
 * Tools, most specific first: the console and Terraform embed SDK tokens (`aws-sdk-java`,
 * `aws-sdk-go`), and aws-cli v1 embeds `botocore/`, so they must win over the SDK they wrap.
 */
const TOOL_PATTERNS: readonly ToolPattern[] = [
  {
    tool: 'rclone',
    // rclone replaces the SDK user agent with `rclone/<Version>`; Debian's 1.60.1 build sends `rclone/`.
    pattern: /(?:^|\s)rclone\/(\S*)/i,
    source:
      'https://rclone.org/docs/#user-agent (default "rclone/" + version); Debian build observed sending "rclone/"',
  },
  {
    tool: 'other',
    label: 'console',
    title: 'AWS Management Console',
    pattern: /(?:^|\s)S3Console\//,
    source:
      'CloudTrail S3 records from the console: "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.888 ...]"',
  },
  {
    tool: 'other',
    label: 'console',
    title: 'AWS Management Console',
    pattern: /^(?:signin|console)\.amazonaws\.com$/i,
    source:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (userAgent of console requests)',
  },
  {
    tool: 'other',
    label: 'aws-internal',
    title: 'AWS Internal',
    pattern: /^AWS Internal$/i,
    source:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html ("AWS Internal" for calls made by AWS on your behalf)',
  },
  {
    tool: 'terraform',
    // `APN/1.0 HashiCorp/1.0 Terraform/1.5.2 (+https://www.terraform.io) terraform-provider-aws/5.7.0 ...`;
    // OpenTofu, its fork, sends `OpenTofu/<version>` (its S3 backend: `OpenTofu-S3-Backend/1.0 OpenTofu/1.9.0`).
    pattern: /(?:^|\s)(?:Terraform|OpenTofu)\/(\S+)/i,
    source:
      'https://github.com/hashicorp/terraform-provider-aws (user agent "APN/1.0 HashiCorp/1.0 Terraform/<version>"); https://github.com/opentofu/opentofu (internal/backend/remote-state/s3/backend.go)',
  },
  {
    tool: 'aws-cli',
    pattern: /(?:^|\s)aws-cli\/(\S+)/i,
    source:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (userAgent example "aws-cli/..."); records "[aws-cli/1.27.74 Python/3.10.6 ... botocore/1.29.74]"',
  },
  {
    tool: 's3cmd',
    // s3cmd (HEAD cee84f9, 2025-10; 2.3.0 alike) sets no User-Agent at all; only a wrapper or fork that adds
    // one is seen. Its own requests carry none, which the client line says (reportWording NO_USER_AGENT).
    pattern: /(?:^|\s)s3cmd(?:\/(\S+))?/i,
    source: 'https://github.com/s3tools/s3cmd (no User-Agent header set in S3/*.py)',
  },
  {
    tool: 'boto3',
    pattern: /(?:^|\s)Boto3\/(\S+)/i,
    source:
      'https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html (user_agent); records "[Boto3/1.29.7 md/Botocore#1.32.7 ua/2.0 ... Botocore/1.32.7]"',
  },
  {
    tool: 'boto3',
    // Plain botocore (no boto3 on top): same Python SDK family, version unknown for boto3 itself.
    pattern: /(?:^|\s)Botocore\/()/i,
    source: 'https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html',
  },
];

/**
 * Programs without a value of their own in {@link ClientTool}, named before the SDK they are built on
 * (S3A embeds `aws-sdk-java`, restic's minio-go and s3fs none). Group 1 is the version.
 */
const PROGRAM_PATTERNS: readonly { name: string; pattern: RegExp; source: string }[] = [
  {
    name: 'Hadoop S3A',
    pattern: /(?:^|[\s,[])Hadoop (\d+\.\d+[^\s,]*)/,
    source:
      'https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/index.html (fs.s3a.user.agent.prefix; "Hadoop <version>, aws-sdk-java/…")',
  },
  {
    name: 'restic',
    pattern: /(?:^|[\s(])restic\/(\S+)/i,
    source:
      'https://github.com/minio/minio-go/blob/master/api.go (SetAppInfo: restic/<version> after minio-go, when a build sets it)',
  },
  {
    name: 'minio-go',
    pattern: /(?:^|[\s(])minio-go\/(v?\d[0-9A-Za-z.+-]*)/i,
    source:
      'https://github.com/minio/minio-go/blob/master/api.go (setUserAgent: "MinIO (<os>; <arch>) minio-go/<version>", which restic keeps)',
  },
  {
    name: 's3fs',
    pattern: /(?:^|\s)s3fs\/(\d\S*)/i,
    source: 'https://github.com/s3fs-fuse/s3fs-fuse (user agent "s3fs/<version> (commit hash …)")',
  },
  {
    name: 'Mountpoint for Amazon S3',
    pattern: /(?:^|\s)mountpoint-s3\/(\d\S*)/i,
    source:
      'https://github.com/awslabs/mountpoint-s3 (user agent "mountpoint-s3/<version> mountpoint-s3-client/…")',
  },
  {
    name: 'AWS Tools for PowerShell',
    pattern: /(?:^|\s)AWSPowerShell(?:\.\w+)?\/(\S+)/,
    source:
      'records "AWSPowerShell.Common/4.1.90.0 .NET_Core/6.0.5 OS/Microsoft_Windows_10.0.17763 PowerShellCore/7.-1 ClientAsync"',
  },
  {
    name: 'terraform-provider-aws',
    pattern: /(?:^|\s)terraform-provider-aws\/(\S+)/i,
    source:
      'https://github.com/hashicorp/terraform-provider-aws (without Terraform/<version>: not Terraform itself)',
  },
];

interface SdkPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** The SDK in words, from its version (`AWS SDK for Java 2.x` for `aws-sdk-java/2.28.16`). */
  readonly title: (version: string) => string;
  readonly source: string;
}

/** The SDK's name with its major version, as AWS names them (`AWS SDK for Java 2.x`), when known. */
function byMajor(base: string, majors: Readonly<Record<string, string>>): (version: string) => string {
  return (version) => {
    const major = majors[/^v?(\d+)\./.exec(version)?.[1] ?? ''];
    return major !== undefined ? `${base} ${major}` : base;
  };
}

/** SDK tokens; `aws-sdk-go-v2` precedes `aws-sdk-go` so the longer name wins. */
const SDK_PATTERNS: readonly SdkPattern[] = [
  {
    name: 'botocore',
    pattern: /(?:^|\s)(?:botocore\/|md\/Botocore#)(\S+)/i,
    title: () => 'botocore',
    source:
      'records "aws-cli/1.34.26 md/Botocore#1.35.26 ... botocore/1.35.26", "Boto3/1.35.99 md/Botocore#1.35.99 ..."',
  },
  {
    name: 'aws-sdk-go-v2',
    pattern: /(?:^|\s)aws-sdk-go-v2\/(\S+)/,
    title: () => 'AWS SDK for Go v2',
    source: 'https://github.com/aws/aws-sdk-go-v2/blob/main/aws/middleware/user_agent.go',
  },
  {
    name: 'aws-sdk-go',
    pattern: /(?:^|\s)aws-sdk-go\/(\S+)/,
    title: () => 'AWS SDK for Go v1',
    source: 'records "aws-sdk-go/1.12.8 (go1.9; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.10.0-dev"',
  },
  {
    name: 'aws-sdk-java',
    pattern: /(?:^|\s)aws-sdk-java\/(\S+)/,
    title: byMajor('AWS SDK for Java', { '1': '1.x', '2': '2.x' }),
    source: 'records "[aws-sdk-java/1.11.504 Linux/4.14.186 ... java/11.0.2 ...]"',
  },
  {
    name: 'aws-sdk-js',
    pattern: /(?:^|\s)aws-sdk-js\/(\S+)/,
    // aws-sdk-js/2.x is v2 in a browser; in Node.js, v2 sends aws-sdk-nodejs.
    title: byMajor('AWS SDK for JavaScript', { '2': 'v2', '3': 'v3' }),
    source:
      'https://github.com/aws/aws-sdk-js-v3/tree/main/packages/util-user-agent-node (aws-sdk-js/<version>)',
  },
  {
    name: 'aws-sdk-nodejs',
    pattern: /(?:^|\s)aws-sdk-nodejs\/(\S+)/,
    title: () => 'AWS SDK for JavaScript v2',
    source: 'https://github.com/aws/aws-sdk-js (v2: aws-sdk-nodejs/<version>)',
  },
  {
    name: 'aws-sdk-rust',
    pattern: /(?:^|\s)aws-sdk-rust\/(\S+)/,
    title: () => 'AWS SDK for Rust',
    source: 'https://github.com/awslabs/aws-sdk-rust',
  },
  {
    name: 'aws-sdk-dotnet',
    pattern: /(?:^|\s)aws-sdk-dotnet(?:-[\w]+)?\/(\S+)/,
    title: () => 'AWS SDK for .NET',
    source: 'https://github.com/aws/aws-sdk-net (aws-sdk-dotnet-coreclr/<version>)',
  },
  {
    name: 'aws-sdk-ruby',
    pattern: /(?:^|\s)aws-sdk-ruby\d*\/(\S+)/,
    title: () => 'AWS SDK for Ruby',
    source: 'https://github.com/aws/aws-sdk-ruby (aws-sdk-ruby3/<version>)',
  },
  {
    name: 'aws-sdk-php',
    pattern: /(?:^|\s)aws-sdk-php\/(\S+)/,
    title: () => 'AWS SDK for PHP',
    source: 'https://github.com/aws/aws-sdk-php',
  },
  {
    name: 'aws-sdk-cpp',
    pattern: /(?:^|\s)aws-sdk-cpp\/(\S+)/,
    title: () => 'AWS SDK for C++',
    source: 'https://github.com/aws/aws-sdk-cpp',
  },
];

/**
 * aws-cli command markers: v2 appends `md/command#s3.cp`; older v2 releases (2.9 to 2.12 at least)
 * appended `command/s3.cp`. aws-cli v1 sends no command at all (checked with 1.46.3: `aws-cli/1.46.3
 * md/Botocore#… ua/2.1 … botocore/1.43.62`), so its runs get no job profile (a caveat says why).
 */
const COMMAND_PATTERN = /(?:^|\s)(?:md\/command#|command\/)([\w.-]+)/;

/** S3 records wrap the user agent in square brackets (`[aws-cli/1.27.74 ...]`); other services do not. */
function stripBrackets(userAgent: string): string {
  const trimmed = userAgent.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1).trim() : trimmed;
}

function findSdk(userAgent: string, exclude?: string): string | undefined {
  const found = findSdkMatch(userAgent, exclude);
  return found !== undefined ? `${found.name}/${found.version}` : undefined;
}

function findSdkMatch(
  userAgent: string,
  exclude?: string,
): { name: string; version: string; title: string } | undefined {
  for (const { name, pattern, title } of SDK_PATTERNS) {
    if (name === exclude) continue;
    const version = pattern.exec(userAgent)?.[1];
    if (version !== undefined) return { name, version, title: title(version) };
  }
  return undefined;
}

/** A version as the user agent gives it, unless it is far longer than any real one. */
function versionOf(version: string | undefined): string | undefined {
  return version !== undefined && version !== '' && version.length <= MAX_VERSION_LENGTH
    ? version
    : undefined;
}

/**
 * Identifies the client from a CloudTrail `userAgent` (brackets stripped). Unknown or absent user
 * agents give `{ tool: 'other' }`, with `sdk` when an AWS SDK token is recognisable. A user agent can
 * be set freely by the caller (`rclone --user-agent`), so this is a hint, never proof.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 */
export function detectClient(userAgent: string | undefined, fromConsole = false): Client {
  const client = userAgent === undefined ? NO_CLIENT : clientOf(userAgent);
  // The record says the call came from a console session (sessionCredentialFromConsole): the console,
  // unless the user agent names another client (aws-cli in CloudShell runs with such credentials too).
  if (!fromConsole || client.tool !== 'other' || client.name !== undefined) return client;
  return client.raw === undefined ? CONSOLE_CLIENT : Object.freeze({ ...CONSOLE_CLIENT, raw: client.raw });
}

/**
 * The client of a request the record says came from a console session, whose user agent names no other.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (sessionCredentialFromConsole)
 */
const CONSOLE_CLIENT: Client = Object.freeze({
  tool: 'other',
  name: 'AWS Management Console',
  sdk: 'console',
});

const NO_CLIENT: Client = Object.freeze({ tool: 'other' });

/** The longest version (or aws-cli command) taken from a user agent. */
const MAX_VERSION_LENGTH = 64;

/** One (frozen) answer per user agent: a trail's jobs repeat a few user agents. Bounded: they come from input. */
const clientOf = boundedMemo((userAgent: string): Client => Object.freeze(clientOfUncached(userAgent)), 1024);

function clientOfUncached(userAgent: string): Client {
  const raw = stripBrackets(userAgent);
  if (raw === '') return NO_CLIENT;

  for (const { tool, pattern, label, title } of TOOL_PATTERNS) {
    const match = pattern.exec(raw);
    if (match === null) continue;
    // A version is a few characters (`v1.68.2`, `2.22.35`); anything far longer is not one, and would
    // fill every line that names the client.
    const version = match[1] !== undefined && match[1].length <= MAX_VERSION_LENGTH ? match[1] : undefined;
    const named = tool === 'aws-cli' ? COMMAND_PATTERN.exec(raw)?.[1] : undefined;
    const command = named !== undefined && named.length <= MAX_VERSION_LENGTH ? named : undefined;
    const sdk = label ?? findSdk(raw);
    return {
      tool,
      ...(version !== undefined && version !== '' ? { version } : {}),
      ...(title !== undefined ? { name: title } : {}),
      ...(command !== undefined ? { command } : {}),
      ...(sdk !== undefined ? { sdk } : {}),
      raw,
    };
  }

  // Named by the program the user agent names, else by its SDK, else by the AWS service calling.
  const found = findSdkMatch(raw);
  const service = found === undefined ? awsServiceCaller(raw) : undefined;
  const sdk = found !== undefined ? `${found.name}/${found.version}` : service;
  let name = found?.title ?? service;
  let version = versionOf(found?.version);
  for (const program of PROGRAM_PATTERNS) {
    const match = program.pattern.exec(raw);
    if (match === null) continue;
    name = program.name;
    version = versionOf(match[1]);
    break;
  }
  return {
    tool: 'other',
    ...(version !== undefined ? { version } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(sdk !== undefined ? { sdk } : {}),
    raw,
  };
}

/** Calls made by an AWS service on the caller's behalf carry the service host (`s3.amazonaws.com`). */
function awsServiceCaller(userAgent: string): string | undefined {
  return /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com$/i.test(userAgent)
    ? userAgent.toLowerCase()
    : undefined;
}

/** The pattern tables, exported for documentation and tests (every entry must cite a source). */
export const userAgentPatternSources = {
  tools: TOOL_PATTERNS.map(({ tool, label, source }) => ({
    tool,
    ...(label !== undefined ? { label } : {}),
    source,
  })),
  sdks: SDK_PATTERNS.map(({ name, source }) => ({ name, source })),
  programs: PROGRAM_PATTERNS.map(({ name, source }) => ({ name, source })),
} as const;
