import { isJsonObject } from '../json/jsonValue.js';
import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import { decodePolicyDocument, describeType } from '../policy/policyDocument.js';
import { cloudTrailHint } from './cloudTrailHint.js';
import { defaultVersion } from './defaultVersion.js';
import type {
  AccountSnapshot,
  InlinePolicy,
  PolicyAttachment,
  SnapshotGroup,
  SnapshotManagedPolicy,
  SnapshotPolicyVersion,
  SnapshotProblem,
  SnapshotRole,
  SnapshotUser,
} from './types.js';

/** Stable codes of the ways a file can fail to be an account snapshot. */
export type AccountSnapshotErrorCode =
  | 'snapshot.empty'
  | 'snapshot.invalidShape'
  | 'snapshot.notAuthorizationDetails';

export type AccountSnapshotResult =
  | {
      readonly ok: true;
      readonly snapshot: AccountSnapshot;
      readonly warnings: readonly SnapshotProblem[];
    }
  | { readonly ok: false; readonly code: AccountSnapshotErrorCode; readonly message: string };

/**
 * The four lists a `GetAccountAuthorizationDetails` response carries; a page holds at least one of them
 * (the `Filter` parameter may drop the others).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
const DETAIL_LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

const API_REFERENCE =
  'https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html';

/**
 * Reads `aws iam get-account-authorization-details` output into an {@link AccountSnapshot}.
 *
 * Accepts the AWS CLI form (documents as JSON objects), the raw API / SDK v3 form (documents as
 * URL-encoded JSON strings) and several pages of either as an array. What is attached but absent
 * (typically AWS-managed policies, which appear only with `--filter AWSManagedPolicy` or an unfiltered
 * call) is a warning, never a failure: the caller decides what an incomplete view means.
 *
 * @param json the parsed file content
 * @param source a label for messages (usually the file name)
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
export function parseAccountSnapshot(json: unknown, source: string): AccountSnapshotResult {
  const pages = Array.isArray(json) ? json : [json];
  if (pages.length === 0) {
    return { ok: false, code: 'snapshot.empty', message: `${source}: the array of pages is empty` };
  }
  const warnings: SnapshotProblem[] = [];
  const collector = new SnapshotCollector(source, warnings);
  for (const [index, page] of pages.entries()) {
    const where = Array.isArray(json) ? `${source}: page ${index + 1}` : source;
    const failure = collector.addPage(page, where);
    if (failure !== undefined) return failure;
  }
  // The raw API says IsTruncated; the AWS CLI, given --max-items, prints a NextToken instead.
  const hasNextToken = (page: unknown): boolean =>
    isJsonObject(page) && typeof page.NextToken === 'string' && page.NextToken !== '';
  const continues = (page: unknown): boolean =>
    isJsonObject(page) && (page.IsTruncated === true || hasNextToken(page));
  // Pages in any order: the set is whole when one of them is the last (it says nothing follows).
  const lastPage: unknown = pages.find((page) => !continues(page)) ?? pages[pages.length - 1];
  const nextToken = hasNextToken(lastPage);
  if (continues(lastPage)) {
    warnings.push({
      code: 'snapshot.truncated',
      message:
        `${source}: ${pages.length > 1 ? 'every page' : 'the last page'} ${nextToken ? 'has a NextToken' : 'says IsTruncated=true'}, so users, roles or policies are missing; ` +
        'let the AWS CLI paginate (do not pass --max-items) or concatenate every page into an array',
      source,
    });
  }
  const snapshot = collector.finish();
  warnings.push(...referenceWarnings(snapshot));
  return { ok: true, snapshot, warnings };
}

type Failure = { readonly ok: false; readonly code: AccountSnapshotErrorCode; readonly message: string };

class SnapshotCollector {
  private readonly users = new Map<string, SnapshotUser>();
  private readonly groups = new Map<string, SnapshotGroup>();
  private readonly roles = new Map<string, SnapshotRole>();
  private readonly policies = new Map<string, SnapshotManagedPolicy>();

  constructor(
    private readonly source: string,
    private readonly warnings: SnapshotProblem[],
  ) {}

  addPage(page: unknown, where: string): Failure | undefined {
    if (!isJsonObject(page)) {
      return {
        ok: false,
        code: 'snapshot.invalidShape',
        message: `${where}: expected a get-account-authorization-details object, got ${describeType(page)}`,
      };
    }
    if (!DETAIL_LISTS.some((key) => key in page)) {
      return {
        ok: false,
        code: 'snapshot.notAuthorizationDetails',
        message:
          `${where}: not get-account-authorization-details output (none of ${DETAIL_LISTS.join(', ')} ` +
          `is present)${shapeHint(page)}; produce it with \`aws iam get-account-authorization-details\``,
      };
    }
    for (const key of DETAIL_LISTS) {
      const list = page[key];
      if (list !== undefined && !Array.isArray(list)) {
        return {
          ok: false,
          code: 'snapshot.invalidShape',
          message: `${where}: ${key} must be an array, got ${describeType(list)} (see ${API_REFERENCE})`,
        };
      }
    }
    const entries = (key: (typeof DETAIL_LISTS)[number]): readonly unknown[] => {
      const list = page[key];
      return Array.isArray(list) ? list : [];
    };
    entries('UserDetailList').forEach((raw, i) => {
      this.keep(this.users, this.parseUser(raw, `${where}: UserDetailList[${i}]`));
    });
    entries('GroupDetailList').forEach((raw, i) => {
      this.keep(this.groups, this.parseGroup(raw, `${where}: GroupDetailList[${i}]`));
    });
    entries('RoleDetailList').forEach((raw, i) => {
      this.keep(this.roles, this.parseRole(raw, `${where}: RoleDetailList[${i}]`));
    });
    entries('Policies').forEach((raw, i) => {
      this.keep(this.policies, this.parseManagedPolicy(raw, `${where}: Policies[${i}]`));
    });
    return undefined;
  }

  finish(): AccountSnapshot {
    const users = [...this.users.values()];
    const groups = [...this.groups.values()];
    const roles = [...this.roles.values()];
    const managedPolicies = [...this.policies.values()];
    const accountId = this.inferAccountId([
      ...users.map((u) => u.arn),
      ...groups.map((g) => g.arn),
      ...roles.map((r) => r.arn),
      ...managedPolicies.filter((p) => p.managedBy === 'customer').map((p) => p.arn),
    ]);
    return {
      source: this.source,
      ...(accountId !== undefined ? { accountId } : {}),
      users,
      groups,
      roles,
      managedPolicies,
    };
  }

  /** Pages of one listing never overlap; overlapping inputs (two calls merged) keep the first copy. */
  private keep<T extends { readonly arn: string }>(into: Map<string, T>, entity: T | undefined): void {
    if (entity !== undefined && !into.has(entity.arn)) into.set(entity.arn, entity);
  }

  private parseUser(raw: unknown, where: string): SnapshotUser | undefined {
    const base = this.parseEntity(raw, where, 'user', 'UserName', 'UserId', 'UserPolicyList');
    if (base === undefined || !isJsonObject(raw)) return undefined;
    const boundary = this.boundaryArn(raw.PermissionsBoundary, `${where} (${base.name})`);
    return {
      ...base,
      groups: this.groupList(raw.GroupList, `${where} (${base.name})`),
      ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      tags: tagRecord(raw.Tags),
    };
  }

  private parseGroup(raw: unknown, where: string): SnapshotGroup | undefined {
    return this.parseEntity(raw, where, 'group', 'GroupName', 'GroupId', 'GroupPolicyList');
  }

  private parseRole(raw: unknown, where: string): SnapshotRole | undefined {
    const base = this.parseEntity(raw, where, 'role', 'RoleName', 'RoleId', 'RolePolicyList');
    if (base === undefined || !isJsonObject(raw)) return undefined;
    const boundary = this.boundaryArn(raw.PermissionsBoundary, `${where} (${base.name})`);
    const trust =
      raw.AssumeRolePolicyDocument === undefined
        ? undefined
        : this.document(raw.AssumeRolePolicyDocument, `${where} (${base.name}): AssumeRolePolicyDocument`);
    const lastUsed = roleLastUsed(raw.RoleLastUsed);
    return {
      ...base,
      ...(trust !== undefined ? { assumeRolePolicyDocument: trust } : {}),
      ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      tags: tagRecord(raw.Tags),
      ...(lastUsed !== undefined ? { lastUsed } : {}),
    };
  }

  private parseEntity(
    raw: unknown,
    where: string,
    kind: 'user' | 'group' | 'role',
    nameKey: string,
    idKey: string,
    inlineKey: string,
  ): SnapshotGroup | undefined {
    if (!isJsonObject(raw)) {
      this.invalidEntry(`${where}: expected an object, got ${describeType(raw)}; entry skipped`);
      return undefined;
    }
    const name = raw[nameKey];
    const arn = raw.Arn;
    if (typeof name !== 'string' || typeof arn !== 'string') {
      this.invalidEntry(`${where}: ${nameKey} and Arn must be strings; entry skipped`);
      return undefined;
    }
    const id = raw[idKey];
    return {
      name,
      arn: this.entityArn(arn, kind, name, where),
      ...(typeof id === 'string' ? { id } : {}),
      path: typeof raw.Path === 'string' ? raw.Path : '/',
      inlinePolicies: this.inlinePolicies(raw[inlineKey], `${where} (${name}): ${inlineKey}`),
      attachedManagedPolicies: this.attachments(raw.AttachedManagedPolicies, `${where} (${name})`),
    };
  }

  /**
   * The entity's `Arn` when it is an IAM ARN of its kind; otherwise a warning, and a placeholder that no
   * fix names and no account is inferred from: a fix then names the principal by the ARN the event gives
   * (see {@link isArnPlaceholder}).
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
   */
  private entityArn(arn: string, kind: 'user' | 'group' | 'role', name: string, where: string): string {
    if (ENTITY_ARN[kind].test(arn)) return arn;
    this.warnings.push({
      code: 'snapshot.entryArnInvalid',
      message: `${where} (${name}): Arn ${JSON.stringify(arn)} is not an IAM ${kind} ARN (arn:aws:iam::ACCOUNT:${kind}/PATH/NAME), so it is not used: the ${kind} is found by its name${kind === 'group' ? '' : ', and a fix names it by the ARN the event gives'}`,
      source: this.source,
    });
    return `${ARN_PLACEHOLDER_PREFIX}${where.slice(where.lastIndexOf(': ') + 2)})`;
  }

  /**
   * An entry that says something is attached (a managed policy, a boundary, a group) but cannot be read
   * stays as an attachment to something the snapshot lacks, named by where it is: the caller's policies
   * are then incomplete, and its fixes not verified, as for a policy missing from the snapshot.
   */
  private unreadable(where: string, what: string): string {
    this.invalidEntry(
      `${where}: ${what}; taken as something attached that the snapshot lacks, so the principal's fixes are not verified`,
    );
    return `${UNREADABLE_PREFIX}${where.slice(where.lastIndexOf(': ') + 2)})`;
  }

  /** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachedPolicy.html */
  private attachments(raw: unknown, where: string): PolicyAttachment[] {
    if (raw === undefined || raw === null) return [];
    const list = `${where}: AttachedManagedPolicies`;
    if (!Array.isArray(raw)) {
      const arn = this.unreadable(list, `expected a list, got ${describeType(raw)}`);
      return [{ name: arn, arn }];
    }
    return raw.map((entry: unknown, i) => {
      if (!isJsonObject(entry) || typeof entry.PolicyArn !== 'string') {
        const arn = this.unreadable(`${list}[${i}]`, 'an entry without a PolicyArn string cannot be read');
        return { name: arn, arn };
      }
      const name =
        typeof entry.PolicyName === 'string' ? entry.PolicyName : policyNameFromArn(entry.PolicyArn);
      return { name, arn: entry.PolicyArn };
    });
  }

  /** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachedPermissionsBoundary.html */
  private boundaryArn(raw: unknown, where: string): string | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (isJsonObject(raw) && typeof raw.PermissionsBoundaryArn === 'string')
      return raw.PermissionsBoundaryArn;
    return this.unreadable(
      `${where}: PermissionsBoundary`,
      'an entry without a PermissionsBoundaryArn string cannot be read',
    );
  }

  private groupList(raw: unknown, where: string): string[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw))
      return [this.unreadable(`${where}: GroupList`, `expected a list, got ${describeType(raw)}`)];
    return raw.map((item: unknown, i) =>
      typeof item === 'string'
        ? item
        : this.unreadable(`${where}: GroupList[${i}]`, 'a group name that is not a string cannot be read'),
    );
  }

  private inlinePolicies(raw: unknown, where: string): InlinePolicy[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.invalidEntry(
        `${where}: expected a list, got ${describeType(raw)}; its inline policies are not evaluated`,
      );
      return [];
    }
    const policies: InlinePolicy[] = [];
    raw.forEach((entry: unknown, i) => {
      if (!isJsonObject(entry) || typeof entry.PolicyName !== 'string') {
        this.invalidEntry(`${where}[${i}]: an inline policy needs a PolicyName; policy skipped`);
        return;
      }
      const document = this.document(entry.PolicyDocument, `${where}[${i}] (${entry.PolicyName})`);
      policies.push({ name: entry.PolicyName, document });
    });
    return policies;
  }

  private parseManagedPolicy(raw: unknown, where: string): SnapshotManagedPolicy | undefined {
    if (!isJsonObject(raw) || typeof raw.Arn !== 'string') {
      this.invalidEntry(`${where}: a managed policy needs an Arn string; entry skipped`);
      return undefined;
    }
    const arn = raw.Arn;
    // AWS always sends PolicyName; some emulators and hand-made snapshots leave it out, and the ARN ends
    // with it (arn:aws:iam::ACCOUNT:policy/PATH/NAME).
    const name = typeof raw.PolicyName === 'string' ? raw.PolicyName : policyNameFromArn(arn);
    const versions: SnapshotPolicyVersion[] = [];
    const rawVersions: readonly unknown[] = Array.isArray(raw.PolicyVersionList) ? raw.PolicyVersionList : [];
    rawVersions.forEach((entry, i) => {
      if (!isJsonObject(entry) || typeof entry.VersionId !== 'string') {
        this.invalidEntry(`${where} (${name}): PolicyVersionList[${i}] needs a VersionId; version skipped`);
        return;
      }
      versions.push({
        versionId: entry.VersionId,
        isDefaultVersion: entry.IsDefaultVersion === true,
        document: this.document(entry.Document, `${where} (${name}): version ${entry.VersionId}`, arn),
      });
    });
    return {
      name,
      arn,
      ...(typeof raw.PolicyId === 'string' ? { id: raw.PolicyId } : {}),
      ...(typeof raw.Path === 'string' ? { path: raw.Path } : {}),
      managedBy: isAwsManagedPolicyArn(arn) ? 'aws' : 'customer',
      ...(typeof raw.DefaultVersionId === 'string' ? { defaultVersionId: raw.DefaultVersionId } : {}),
      ...(typeof raw.AttachmentCount === 'number' ? { attachmentCount: raw.AttachmentCount } : {}),
      ...(typeof raw.PermissionsBoundaryUsageCount === 'number'
        ? { boundaryUsageCount: raw.PermissionsBoundaryUsageCount }
        : {}),
      versions,
    };
  }

  /** Decoded document, or the original value (with a warning) so the engine can report it precisely. */
  private document(raw: unknown, where: string, policyArn?: string): unknown {
    const decoded = decodePolicyDocument(raw);
    if (decoded.ok) return decoded.document;
    this.warnings.push({
      code: 'snapshot.policyDocumentInvalid',
      message: `${where}: the policy document cannot be read: ${decoded.reason}`,
      source: this.source,
      ...(policyArn !== undefined ? { policyArn } : {}),
    });
    return raw;
  }

  private invalidEntry(message: string): void {
    this.warnings.push({ code: 'snapshot.entryInvalid', message, source: this.source });
  }

  private inferAccountId(arns: readonly string[]): string | undefined {
    const accounts = [...new Set(arns.map(iamArnAccount).filter((a): a is string => a !== undefined))];
    if (accounts.length > 1) {
      this.warnings.push({
        code: 'snapshot.multipleAccounts',
        message:
          `${this.source}: ARNs name several accounts (${accounts.join(', ')}); ` +
          `a snapshot describes one account, using ${accounts[0]}`,
        source: this.source,
      });
    }
    return accounts[0];
  }
}

/** An IAM user, group or role ARN: `arn:aws:iam::ACCOUNT:role/PATH/NAME`. */
const ENTITY_ARN = {
  user: /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?[^/]+$/,
  group: /^arn:aws[a-z-]*:iam::\d{12}:group\/(?:.*\/)?[^/]+$/,
  role: /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?[^/]+$/,
} as const;

/** How an entity whose `Arn` is not an ARN is named instead (it stands where its ARN would). */
const ARN_PLACEHOLDER_PREFIX = '(no valid Arn: ';

/** Whether a user's, group's or role's `arn` is the placeholder for an `Arn` that is not an ARN. */
export function isArnPlaceholder(arn: string): boolean {
  return arn.startsWith(ARN_PLACEHOLDER_PREFIX);
}

/** How an attachment that could not be read is named (it stands where the policy's ARN would). */
const UNREADABLE_PREFIX = '(unreadable ';

/** The 12-digit account of an IAM ARN (`arn:partition:iam::ACCOUNT:...`). */
function iamArnAccount(arn: string): string | undefined {
  return /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
}

/** Tags as `[{ Key, Value }]` become a record, the shape `aws:PrincipalTag/<key>` lookups want. */
function tagRecord(raw: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(raw)) return tags;
  for (const entry of raw) {
    if (isJsonObject(entry) && typeof entry.Key === 'string' && typeof entry.Value === 'string') {
      tags[entry.Key] = entry.Value;
    }
  }
  return tags;
}

function roleLastUsed(raw: unknown): { date?: string; region?: string } | undefined {
  if (!isJsonObject(raw)) return undefined;
  const date = typeof raw.LastUsedDate === 'string' ? raw.LastUsedDate : undefined;
  const region = typeof raw.Region === 'string' ? raw.Region : undefined;
  if (date === undefined && region === undefined) return undefined;
  return { ...(date !== undefined ? { date } : {}), ...(region !== undefined ? { region } : {}) };
}

function policyNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** A nudge when someone passes the wrong file to `--account-snapshot`. */
function shapeHint(page: Readonly<Record<string, unknown>>): string {
  if ('Statement' in page) return ' (this looks like a single policy document)';
  const event = cloudTrailHint(page);
  if (event !== undefined) return ` (${event})`;
  if ('Policy' in page) return ' (this looks like a bucket policy or an Organizations policy)';
  return '';
}

/** Attachments that point at nothing, and managed policies without a usable default version. */
function referenceWarnings(snapshot: AccountSnapshot): SnapshotProblem[] {
  const { source } = snapshot;
  const warnings: SnapshotProblem[] = [];
  const policies = new Map(snapshot.managedPolicies.map((p) => [p.arn, p]));
  const attached = new Map<string, { name: string; usage: string[] }>();
  const note = (arn: string, name: string, usage: string): void => {
    const entry = attached.get(arn) ?? { name, usage: [] };
    entry.usage.push(usage);
    attached.set(arn, entry);
  };
  for (const user of snapshot.users) {
    for (const a of user.attachedManagedPolicies) note(a.arn, a.name, `user ${user.name}`);
    if (user.permissionsBoundaryArn !== undefined) {
      note(
        user.permissionsBoundaryArn,
        policyNameFromArn(user.permissionsBoundaryArn),
        `boundary of user ${user.name}`,
      );
    }
  }
  for (const group of snapshot.groups) {
    for (const a of group.attachedManagedPolicies) note(a.arn, a.name, `group ${group.name}`);
  }
  for (const role of snapshot.roles) {
    for (const a of role.attachedManagedPolicies) note(a.arn, a.name, `role ${role.name}`);
    if (role.permissionsBoundaryArn !== undefined) {
      note(
        role.permissionsBoundaryArn,
        policyNameFromArn(role.permissionsBoundaryArn),
        `boundary of role ${role.name}`,
      );
    }
  }
  for (const [arn, { name, usage }] of attached) {
    // An entry that could not be read has had its own warning.
    if (policies.has(arn) || arn.startsWith(UNREADABLE_PREFIX)) continue;
    const how = isAwsManagedPolicyArn(arn)
      ? 'AWS-managed policies are listed only by an unfiltered call or with `--filter AWSManagedPolicy`'
      : 'customer-managed policies are listed with `--filter LocalManagedPolicy`; the snapshot may be filtered or truncated';
    warnings.push({
      code: 'snapshot.managedPolicyMissing',
      message: `${source}: managed policy ${name} (${arn}), used by ${usage.join(', ')}, is not in Policies; ${how}`,
      source,
      policyArn: arn,
    });
  }
  const groupNames = new Set(snapshot.groups.map((g) => g.name));
  for (const user of snapshot.users) {
    for (const group of user.groups) {
      if (groupNames.has(group)) continue;
      warnings.push({
        code: 'snapshot.groupMissing',
        message: `${source}: user ${user.name} is in group ${group}, which is not in GroupDetailList`,
        source,
      });
    }
  }
  for (const policy of snapshot.managedPolicies) {
    if (defaultVersion(policy) !== undefined) continue;
    warnings.push({
      code: 'snapshot.defaultVersionMissing',
      message:
        `${source}: managed policy ${policy.name} (${policy.arn}) has no default version document ` +
        `(DefaultVersionId ${policy.defaultVersionId ?? 'absent'})`,
      source,
      policyArn: policy.arn,
    });
  }
  return warnings;
}

export { isAwsManagedPolicyArn };
