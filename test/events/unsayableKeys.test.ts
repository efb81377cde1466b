/**
 * Samples whose keys hold characters an IAM policy document cannot hold (anything but tab, line feed,
 * carriage return and U+0020 to U+00FF): every statement of the fix, its other changes and the job
 * profile stays within IAM's characters, and the caveat names the characters the statements stand ?
 * for, whichever call they came from (a key granted by its exact ARN, a copy's source).
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding } from '../../src/domain/explain/report.js';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { explainScenario } from './explainScenario.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');
const IAM_DOCUMENT = /^[\t\n\r\u0020-\u00ff]*$/;

/** The sample `name` with each `[from, to]` replaced in its event file, explained. */
async function mutated(
  directory: string,
  name: string,
  replacements: readonly (readonly [string, string])[],
): Promise<readonly Finding[]> {
  const dir = join(directory, name);
  await cp(join(EVENTS, name), dir, { recursive: true });
  let text = await readFile(join(dir, 'event.json'), 'utf8');
  for (const [from, to] of replacements) text = text.replaceAll(from, to);
  await writeFile(join(dir, 'event.json'), text);
  const scenario = JSON.parse(await readFile(join(dir, 'scenario.json'), 'utf8')) as { args: string[] };
  return (await explainScenario(dir, scenario.args)).findings;
}

function statementsOf(finding: Finding): unknown[] {
  const fix = finding.fix;
  return [
    ...(fix?.statements ?? []),
    ...(fix?.identityStatements ?? []),
    ...(fix?.identityChange?.statements ?? []),
    ...(fix?.boundary?.statements ?? []),
    ...(finding.jobProfile?.statements ?? []),
  ];
}

const caveatOf = (finding: Finding) =>
  finding.caveats.find((c) => c.startsWith('IAM policy documents can hold only'));

describe('samples with keys IAM cannot name', () => {
  const directory = temporaryDirectory('unsayable-');

  test("rclone's root check granted on its exact key (sample 26): the key's characters are written ?", async () => {
    const [finding] = await mutated(directory(), '26-rclone-root-check-stops-job', [
      ['hosts/nas', 'hosts/日本/nas'],
    ]);
    assert.ok(finding !== undefined);
    assert.match(JSON.stringify(statementsOf(finding)), IAM_DOCUMENT);
    assert.ok(
      finding.fix?.statements.some((s) =>
        s.Resource.includes('arn:aws:s3:::backup-nas/hosts/??/nas-berlin-01'),
      ),
      JSON.stringify(finding.fix?.statements),
    );
    assert.match(caveatOf(finding) ?? '', /the keys' characters "日", "本" cannot/);
  });

  test("a copy between buckets (sample 28): the caveat names the source's characters and the destination's", async () => {
    const [finding] = await mutated(directory(), '28-rclone-copy-between-buckets', [
      ['monthly/2026', 'monthly/日本/2026'],
      ['2026/2026-1', '2026/Ж/2026-1'],
    ]);
    assert.ok(finding !== undefined);
    assert.match(JSON.stringify(statementsOf(finding)), IAM_DOCUMENT);
    assert.ok(
      finding.jobProfile?.statements.some((s) =>
        s.Resource.includes('arn:aws:s3:::reports-prod/monthly/??/*'),
      ),
      JSON.stringify(finding.jobProfile?.statements),
    );
    assert.match(caveatOf(finding) ?? '', /the keys' characters "Ж", "日", "本" cannot/);
  });
});
