/**
 * What a policy change shows, in the order a reader applies it: the statements it adds (a part of the
 * policy, not a document of their own), the diff of the policy around them, and the whole new document
 * with the command that applies it. A block of statements wrapped in `{"Version", "Statement"}` reads as
 * the whole policy: pasted as a new managed policy version or a bucket policy, it would drop every
 * statement already there.
 */
import {
  BUCKET_POLICY_QUOTA_BYTES,
  bucketPolicyBytes,
  iamPolicySize,
  MANAGED_POLICY_QUOTA,
  SERVICE_CONTROL_POLICY_QUOTA,
  scpSize,
  utf8Length,
} from '../explain/policySize.js';
import type { Fix } from '../explain/report.js';
import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import { shellWord } from '../shell.js';
import { safeJsonText } from './escape.js';
import { policyDocument } from './reportWording.js';

export type ChangeBlock =
  | { readonly kind: 'json'; readonly heading: string; readonly value: unknown }
  | { readonly kind: 'diff'; readonly heading: string; readonly text: string }
  | { readonly kind: 'command'; readonly heading: string; readonly text: string };

type Change = Pick<
  Fix,
  'attachKind' | 'attachTo' | 'policyArn' | 'policyName' | 'statements' | 'newDocument' | 'diff' | 'overQuota'
>;

/** The heading of a cross-account fix's statements for the caller's own policies, when those are not in the input. */
export const UNPLACED_HEADING =
  'statements to add to one of its policies (its policies are not in the input: add them to one, or make them a new inline policy)';

/** Unchanged lines kept on each side of a change in a diff. */
export const DIFF_CONTEXT = 3;

/**
 * The file the command reads the whole document from, named after the policy: a fix that changes two
 * policies (the caller's and its boundary) gives two documents, each with its own file and command.
 */
export function documentFile(
  change: Pick<Change, 'attachKind' | 'attachTo' | 'policyName' | 'policyArn'>,
): string {
  const bucket = /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(change.attachTo)?.[1];
  // Inline policies of one name on several users or roles are several documents: each file names its holder.
  // By kind too: IAM lets a user and a role have the same name.
  const kind = /:(user|role|group)\//.exec(change.attachTo)?.[1];
  const holder = kind !== undefined ? `${kind}-${lastSegment(change.attachTo)}` : undefined;
  const name =
    change.attachKind === 'bucket-policy' && bucket !== undefined
      ? `${bucket}-bucket-policy`
      : (change.attachKind === 'managed-policy-version' || change.attachKind === 'service-control-policy') &&
          change.policyArn !== undefined
        ? lastSegment(change.policyArn)
        : change.attachKind === 'inline-policy' && change.policyName !== undefined && holder !== undefined
          ? `${change.policyName}-${holder}`
          : (change.policyName ?? lastSegment(change.attachTo));
  return `${name.replace(/[^A-Za-z0-9._-]/g, '-') || 'policy'}.json`;
}

/** What the whole document is, for its heading. */
const DOCUMENT_NOUN: Readonly<Record<Fix['attachKind'], string>> = {
  'inline-policy': 'inline policy',
  'managed-policy-version': 'policy version',
  'bucket-policy': 'bucket policy',
  'permission-set': 'inline policy of the permission set',
  'service-control-policy': 'service control policy',
};

/** The last part of an ARN's resource (`user/path/name` -> `name`). */
function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * The AWS CLI command that applies the whole document saved as `policy.json`, or `undefined` when the
 * input does not hold what the command needs (a permission set's instance and ARN).
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/create-policy-version.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/s3api/put-bucket-policy.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/organizations/update-policy.html
 */
export function applyCommand(change: Change): string | undefined {
  switch (change.attachKind) {
    case 'managed-policy-version': {
      const arn = change.policyArn ?? change.attachTo;
      return `aws iam create-policy-version --policy-arn ${shellWord(arn)} --policy-document file://${shellWord(documentFile(change))} --set-as-default`;
    }
    case 'inline-policy': {
      const kind = /:(user|role|group)\//.exec(change.attachTo)?.[1];
      if (kind === undefined || change.policyName === undefined) return undefined;
      return `aws iam put-${kind}-policy --${kind}-name ${shellWord(lastSegment(change.attachTo))} --policy-name ${shellWord(change.policyName)} --policy-document file://${shellWord(documentFile(change))}`;
    }
    case 'bucket-policy': {
      const bucket = /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(change.attachTo)?.[1];
      return bucket === undefined
        ? undefined
        : `aws s3api put-bucket-policy --bucket ${shellWord(bucket)} --policy file://${shellWord(documentFile(change))}`;
    }
    case 'service-control-policy': {
      const id = change.policyArn === undefined ? undefined : lastSegment(change.policyArn);
      return id === undefined || !/^p-[0-9a-z]+$/.test(id)
        ? undefined
        : `aws organizations update-policy --policy-id ${id} --content file://${shellWord(documentFile(change))}`;
    }
    case 'permission-set':
      return undefined;
  }
}

/**
 * A diff cut to the lines around its changes: runs of more than `2 × context` unchanged lines between
 * changes, and those before the first and after the last beyond `context`, become one line saying how
 * many were left out. A diff without changes is returned as it is.
 */
export function contextDiff(rawDiff: string, context = DIFF_CONTEXT): string {
  // The diff's lines are the documents' JSON: what JSON.stringify leaves raw (C1 controls, invisible
  // characters) is escaped as in the documents shown whole, so no renderer removes it unseen.
  const diff = safeJsonText(rawDiff);
  const lines = diff.split('\n');
  const changed = lines.map((line) => line.startsWith('+ ') || line.startsWith('- '));
  if (!changed.includes(true)) return diff;
  const keep = lines.map(() => false);
  changed.forEach((isChange, i) => {
    if (!isChange) return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: string[] = [];
  // A run of one line is kept: its marker would take the same line.
  let skipped: string[] = [];
  const flush = () => {
    if (skipped.length === 1) out.push(skipped[0]!);
    else if (skipped.length > 1) out.push(`  … (${skipped.length} unchanged lines)`);
    skipped = [];
  };
  lines.forEach((line, i) => {
    if (keep[i]) {
      flush();
      out.push(line);
    } else {
      skipped.push(line);
    }
  });
  flush();
  return out.join('\n');
}

/**
 * For an SCP or a bucket policy whose document, as shown (indented), is over its quota: its minified
 * size, and how to minify it, in case Organizations or S3 counts the white space of the file it is
 * given (IAM does not count it).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
 */
function sizeNote(change: Change): string {
  if (change.newDocument === undefined) return '';
  const scp = change.attachKind === 'service-control-policy';
  if (!scp && change.attachKind !== 'bucket-policy') return '';
  const quota = scp ? SERVICE_CONTROL_POLICY_QUOTA : BUCKET_POLICY_QUOTA_BYTES;
  const indented = JSON.stringify(change.newDocument, null, 2);
  const shown = scp ? indented.length : utf8Length(indented);
  if (shown <= quota) return '';
  const minified = scp ? scpSize(change.newDocument) : bucketPolicyBytes(change.newDocument);
  const unit = scp ? 'characters' : 'bytes';
  const n = (value: number) => value.toLocaleString('en-US');
  const file = documentFile(change);
  const minifiedFile = file.replace(/\.json$/, '.min.json');
  return `; as shown it is ${n(shown)} ${unit}, minified ${n(minified)}, against the ${scp ? 'SCP quota of 5,120' : "bucket policy's quota of 20 KB"}: ${
    minified > quota
      ? 'even minified it is too large, so make room in it first (see the caveats)'
      : `minify it before applying it (jq -c . ${file} > ${minifiedFile}, then give file://${minifiedFile})`
  }`;
}

/** The blocks of one change; `whole: false` leaves out the whole document (Slack, where space is short). */
export function changeBlocks(change: Change, options: { readonly whole?: boolean } = {}): ChangeBlock[] {
  const whole = options.whole ?? true;
  // No version of an AWS managed policy can be created: its new document is one of the account's own.
  const noun =
    change.attachKind === 'managed-policy-version' && isAwsManagedPolicyArn(change.policyArn ?? '')
      ? 'policy document (for a policy of your own)'
      : DOCUMENT_NOUN[change.attachKind];
  const command = applyCommand(change);
  const blocks: ChangeBlock[] = [];
  // What the policy holds now is unknown: a permission set's policies are not in the account snapshot,
  // and a bucket policy not given with --bucket-policy is not either. Applying a whole document would
  // replace what is there.
  const currentUnknown = change.newDocument === undefined && change.attachKind !== 'inline-policy';
  if (currentUnknown) {
    blocks.push({
      kind: 'json',
      heading:
        change.attachKind === 'permission-set'
          ? "Statements to add (the permission set's current inline policy is not in the input: add them to it, or make them its inline policy if it has none)"
          : `Statements to add (the current ${noun} is not in the input: add them to it, since applying a whole document replaces it)`,
      value: change.statements,
    });
    return blocks;
  }
  if (change.diff === undefined || change.diff === '') {
    // A new policy (nothing to edit): its statements are the whole document.
    blocks.push({
      kind: 'json',
      heading: `The whole new ${noun}${command !== undefined && whole ? ` (save it as ${documentFile(change)})` : ''}${provisionedNote(change, false)}`,
      value: change.newDocument ?? policyDocument(change.statements),
    });
  } else {
    // An edit that adds no statement (a policy's Version, so its ${…} become variables): the diff alone.
    const edit = change.statements.length === 0;
    if (!edit)
      blocks.push({
        kind: 'json',
        heading: 'Statements to add (a part of the policy, not a whole document)',
        value: change.statements,
      });
    blocks.push({
      kind: 'diff',
      heading: edit
        ? `The change (diff of the ${noun}, unchanged lines cut)`
        : `Where they go (diff of the ${noun}, unchanged lines cut)`,
      text: contextDiff(change.diff),
    });
    if (whole && change.newDocument !== undefined) {
      blocks.push({
        kind: 'json',
        heading: `The whole new ${noun}, the current one with ${edit ? 'the change' : 'the statements added'}${command !== undefined && whole ? ` (save it as ${documentFile(change)})` : ''}${provisionedNote(change, true)}${sizeNote(change)}`,
        value: change.newDocument,
      });
    }
  }
  if (whole && command !== undefined) {
    if (change.overQuota === undefined)
      blocks.push({ kind: 'command', heading: 'Apply it with', text: command });
    else {
      // The command would be refused: an inline policy can become a customer-managed one, whose quota
      // is its own; any other document needs room made in it first (the caveats say how).
      const managed = asManagedPolicy(change);
      if (change.attachKind === 'managed-policy-version' && isAwsManagedPolicyArn(change.policyArn ?? '')) {
        // No version of an AWS managed policy can be created: the caveat gives the commands to use instead.
      } else if (managed !== undefined) {
        // An inline policy already there stays as it is: the managed policy holds the new statements
        // alone (the whole edited document would duplicate the old one, and may be over 6,144 itself).
        const edits = change.diff !== undefined && change.diff !== '';
        if (edits) {
          const own = policyDocument(change.statements);
          const size = iamPolicySize(own);
          const over =
            size > MANAGED_POLICY_QUOTA
              ? `; it is ${size.toLocaleString('en-US')} characters (white space aside), over the quota of ${MANAGED_POLICY_QUOTA.toLocaleString('en-US')} for a managed policy, so split it into two policies`
              : '';
          blocks.push({
            kind: 'json',
            heading: `Do not apply it as an inline policy (${change.overQuota}): put the statements alone in a customer-managed policy instead, leaving ${change.policyName ?? 'the inline policy'} as it is (save it as ${managed.file})${over}`,
            value: own,
          });
          blocks.push({ kind: 'command', heading: 'Create it with', text: managed.create });
        } else {
          blocks.push({
            kind: 'command',
            heading: `Do not apply it as an inline policy (${change.overQuota}): make it a customer-managed policy instead, with`,
            text: managed.create,
          });
        }
        blocks.push({ kind: 'command', heading: 'and attach it with', text: managed.attach });
      } else {
        blocks.push({
          kind: 'command',
          heading: `Do not apply it as it is (${change.overQuota}): make room in it first (see the caveats); then`,
          text: command,
        });
      }
    }
  }
  return blocks;
}

/**
 * Where a permission set's current inline policy was read: the role it provisions in the account holds
 * it as the inline policy `AwsSSOInlinePolicy`, as of the last provisioning.
 */
function provisionedNote(change: Change, edited: boolean): string {
  if (change.attachKind !== 'permission-set') return '';
  return edited
    ? ` (read from the role it provisions here, as AwsSSOInlinePolicy: if the permission set was changed and not provisioned again since, ${change.statements.length === 0 ? 'make the change' : 'add the statements'} to its inline policy as it is now)`
    : ` (the role it provisions here holds none: if the permission set has an inline policy now, add the statements to it)`;
}

/**
 * For an inline policy on a user or role: the commands that create the same document as a
 * customer-managed policy and attach it (the caller's account is its ARN's).
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/create-policy.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/attach-user-policy.html
 */
function asManagedPolicy(change: Change): { create: string; attach: string; file: string } | undefined {
  if (change.attachKind !== 'inline-policy' || change.policyName === undefined) return undefined;
  const holder = /^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)\//.exec(change.attachTo);
  if (holder === null) return undefined;
  const [, partition, account, kind] = holder;
  // Named after its holder too: the account may already hold a policy of the bare name (another user's).
  const name = `${change.policyName}-${lastSegment(change.attachTo)}`.slice(0, 128);
  const arn = `arn:${partition}:iam::${account}:policy/${name}`;
  // An edited inline policy's statements alone go into the managed policy, saved under its own name.
  const file =
    change.diff !== undefined && change.diff !== ''
      ? `${name.replace(/[^A-Za-z0-9._-]/g, '-')}.json`
      : documentFile(change);
  return {
    file,
    create: `aws iam create-policy --policy-name ${shellWord(name)} --policy-document file://${shellWord(file)}`,
    attach: `aws iam attach-${kind}-policy --${kind}-name ${shellWord(lastSegment(change.attachTo))} --policy-arn ${shellWord(arn)}`,
  };
}
