/**
 * Groups whose requests tell more than their policies: a PutObject that AWS's message says the KMS
 * key's policy refused (scenario 09's) beside a DeleteObject no identity policy allows. The key is the
 * cause and the upload leads; the fix grants the delete, the key policy's statement is said, and the fix
 * is not verified as enough. And an rclone job whose
 * caller once listed the bucket's root elsewhere in the input: its profile stays in the job's directory. And
 * an rclone purge whose deletes a Deny refuses: the profile's notes stop claiming what it no longer grants.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { explainScenario } from './explainScenario.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

describe('a KMS call AWS names beside an S3 refusal', () => {
  test('is said, and the fix that does not grant it is not verified as enough', async () => {
    const report = await explainScenario(join(FIXTURES, 'kms-and-s3-refusal'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'invoices-bucket=bucket-policy.json',
    ]);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'kms-key');
    assert.match(
      finding?.summary ?? '',
      /was denied s3:PutObject on bucket invoices-bucket: S3 needs kms:GenerateDataKey on the KMS key \S+ for it, and the key's policy refuses it \(the caller's own policies allow it\)\. It was also denied s3:DeleteObject, which no identity-based policy allows\. Fix: add s3:DeleteObject /,
    );
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Action),
      ['s3:DeleteObject'],
    );
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "The caller's own policies allow kms:GenerateDataKey on arn:aws:kms:eu-west-1:111122223333:key/",
        ),
      ),
      finding?.caveats.join('\n'),
    );
    assert.ok(
      finding?.caveats.some((c) => c.startsWith('To let the caller use the key through S3')),
      finding?.caveats.join('\n'),
    );
  });
});

describe("an rclone job whose caller listed the bucket's root elsewhere in the input", () => {
  test("keeps its profile in the job's directory", async () => {
    const report = await explainScenario(join(FIXTURES, 'rclone-root-listing-elsewhere'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'backup-bucket=bucket-policy.json',
    ]);
    const objects = report.findings
      .flatMap((f) => f.jobProfile?.statements ?? [])
      .find((s) => s.Sid === 'RcloneObjects');
    assert.deepEqual(objects?.Resource, ['arn:aws:s3:::backup-bucket/daily/*']);
  });
});

describe('an rclone purge whose deletes a bucket-policy Deny refuses (scenario 06 plus its refused versioning read)', () => {
  test("the profile's notes no longer say it grants the version deletes or scope an object statement it lost", async () => {
    const report = await explainScenario(join(FIXTURES, 'purge-refused-by-deny'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'family-photos=bucket-policy.json',
    ]);
    const finding = report.findings.find((f) => f.jobProfile !== null);
    const notes = finding?.jobProfile?.notes ?? [];
    assert.match(notes[0] ?? '', /^s3:DeleteObject, s3:DeleteObjectVersion are left out of this profile/);
    assert.ok(!notes.some((n) => n.includes('s3:DeleteObjectVersion is included')), notes.join('\n'));
    assert.ok(!notes.some((n) => n.includes('so the profile grants those too')), notes.join('\n'));
    assert.ok(!notes.some((n) => n.includes('object statement')), notes.join('\n'));
    assert.ok(
      finding?.caveats.some((c) => c.includes('of which the job profile grants only s3:ListBucketVersions')),
      finding?.caveats.join('\n'),
    );
  });
});

describe("an rclone profile a Deny trims of its object statement (scenario 26 with reads of the host's directory denied)", () => {
  test('keeps the note on the root check it still grants, and drops the one on the object statement it lost', async () => {
    const report = await explainScenario(join(FIXTURES, 'rclone-root-check-deny'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
    ]);
    const profile = report.findings.find((f) => f.jobProfile !== null)?.jobProfile;
    assert.deepEqual(
      profile?.statements.map((s) => s.Sid),
      ['RcloneListBucket', 'RcloneRootCheck'],
    );
    const notes = profile?.notes ?? [];
    assert.ok(
      notes.some((n) => n.includes('The profile grants it (RcloneRootCheck')),
      notes.join('\n'),
    );
    assert.ok(!notes.some((n) => n.includes('object statement')), notes.join('\n'));
  });
});

describe("a KMS call AWS says the caller's own policies refuse, for a caller of another account", () => {
  test('the cause is the missing identity Allow, not the key, and the missing-key note does not apply', async () => {
    const report = await explainScenario(join(FIXTURES, 'kms-identity-message-cross-account'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'finance-reports=bucket-policy.json',
    ]);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.ok(
      finding?.caveats.some((c) =>
        /^AWS names kms:Decrypt on arn:aws:kms:\S+: its message says no identity-based policy allows it\./.test(
          c,
        ),
      ),
      finding?.caveats.join('\n'),
    );
    assert.ok(!finding?.caveats.some((c) => c.startsWith('For a key that does not exist')));
  });
});

describe("a KMS call AWS's message says no identity-based policy allows, with no snapshot (sample 47's event alone)", () => {
  test('the fix grants that call on the key it names, through S3, and not the S3 request', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', '..', 'events', '47-sse-kms-default-key-no-kms-permission'),
      ['event.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.evidence, 'message');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Condition]),
      [[['kms:GenerateDataKey'], { StringEquals: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com'] } }]],
    );
    assert.match(finding?.fix?.statements[0]?.Resource[0] ?? '', /^arn:aws:kms:eu-central-1:\d{12}:key\//);
    assert.equal(finding?.fix?.verified, false);
    assert.match(
      finding?.summary ?? '',
      /: S3 needs kms:GenerateDataKey on the KMS key arn:aws:kms:eu-central-1:\d{12}:key\/\S+ for it, and no identity-based policy allows it\. Fix: add kms:GenerateDataKey/,
    );
  });
});

describe('a KMS call AWS\'s message names without the key ("on this resource"), the caller\'s policies visible (sample 47)', () => {
  const dir = temporaryDirectory('pa-kms-unnamed-');
  const sample = join(import.meta.dirname, '..', '..', 'events', '47-sse-kms-default-key-no-kms-permission');
  /** Sample 47 with its message's key ARN taken out (and `edit` applied), explained with its snapshot. */
  const explainWithout = async (name: string, edit: (message: string) => string = (m) => m) => {
    const record = JSON.parse(readFileSync(join(sample, 'event.json'), 'utf8')) as { errorMessage: string };
    record.errorMessage = edit(
      record.errorMessage.replace(/ on resource: "?arn:aws:kms:[^ "]+"?/, ' on this resource'),
    );
    writeFileSync(join(dir(), name), JSON.stringify(record));
    copyFileSync(join(sample, 'authz.json'), join(dir(), 'authz.json'));
    const [finding] = (await explainScenario(dir(), [name, '--account-snapshot', 'authz.json'])).findings;
    return { finding, message: record.errorMessage };
  };
  test('the summary names the key use, not the S3 request the policies allow, and the caveat says how to find the key', async () => {
    const { finding, message } = await explainWithout('event.json');
    assert.match(message, /kms:GenerateDataKey on this resource because no identity-based policy/);
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.match(
      finding?.summary ?? '',
      /was denied s3:PutObject on bucket finance-reports: S3 needs kms:GenerateDataKey on the KMS key \(AWS's message does not name it\) for it, and no identity-based policy allows it\./,
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "AWS names kms:GenerateDataKey without naming the key (an upload's is the key it names, else the bucket's default: `aws s3api get-bucket-encryption --bucket finance-reports`",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });

  test('an SCP that does not allow the key use: the caveat says an allow list lacks it, and who can add it', async () => {
    const { finding, message } = await explainWithout('scp-event.json', (m) =>
      m.replace('no identity-based policy allows', 'no service control policy allows'),
    );
    assert.match(message, /because no service control policy allows the kms:GenerateDataKey action/);
    const caveat = finding?.caveats.find((c) => c.startsWith('AWS names kms:GenerateDataKey')) ?? '';
    assert.match(
      caveat,
      /its message says no service control policy allows it\. S3 calls it with the caller's credentials \(SSE-KMS\): an SCP allow list \(at the organization's root, an OU or the account\) lacks it, which only the management account or a delegated administrator can add/,
    );
    assert.doesNotMatch(caveat, /the caller's side must allow it, and the key policy too/);
  });
});
