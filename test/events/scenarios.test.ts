/**
 * Runs `explain` on every scenario in events/ and checks the expected outcome recorded in its
 * scenario.json (cause, evidence, requests, deniedBy, fix and its verification, job profile, alternatives).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import { explainScenario } from './explainScenario.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');

interface ExpectedRequest {
  eventName: string;
  action: string;
  resource: string;
  decision: string;
  /** The kinds of policy with no Allow for the request, when the scenario is about which one refuses. */
  missingAllowIn?: string[];
}
interface ExpectedFinding {
  principalArn: string;
  principalType: string;
  clientTool: string;
  cause: string;
  evidence: string;
  requests: ExpectedRequest[];
  deniedBy: Record<string, unknown>[];
  fix: null | {
    attachTo: string;
    attachKind: string;
    statements: PolicyStatement[];
    /** A cross-account fix's statements for the caller's own policies; `null`: none needed. */
    identityStatements?: PolicyStatement[] | null;
    /** The statements the fix adds to the permissions boundary too; `null`: none. */
    boundaryStatements?: PolicyStatement[] | null;
    /** Where a cross-account fix's identityStatements go, when the caller's policies are visible. */
    identityChange?: { attachTo: string; attachKind: string };
  };
  jobProfileOperation: string | null;
  /** The job profile's tool, when the scenario is about which tool the keys show. */
  jobProfileTool?: string;
  /** Every Resource of the job profile's statements, when the scenario says where the job works. */
  jobProfileResources?: string[];
  /** Every Action of the job profile's statements, when the scenario is about what the job needs. */
  jobProfileActions?: string[];
  /** The job profile's statements that carry a Condition, by Sid, when the scenario is about what it limits. */
  jobProfileConditions?: Record<string, unknown>;
  alternativesRemove: string[];
  /** Substrings that some alternative's text must hold (when the scenario is about how one is worded). */
  alternativesMention?: string[];
  caveatsMention?: string[];
  /** The earlier finding (numbered from 1) this one repeats, when the scenario holds a job's later runs. */
  repeatOf?: number;
  /** Substrings that some note of the job profile must hold. */
  jobProfileNotesMention?: string[];
}
interface Scenario {
  title: string;
  args: string[];
  expect: { findings: ExpectedFinding[]; skippedCount: number; errorsCount: number };
}

const scenarioDirs = readdirSync(EVENTS)
  .filter((name) => /^\d\d-/.test(name) && statSync(join(EVENTS, name)).isDirectory())
  .sort();

function statementKey(s: PolicyStatement): string {
  const principal = s.Principal === undefined ? '' : JSON.stringify(s.Principal);
  const condition = s.Condition === undefined ? '' : JSON.stringify(s.Condition);
  return `${s.Effect}|${[...s.Action].sort().join(',')}|${[...s.Resource].sort().join(',')}|${principal}|${condition}`;
}

function requestKey(r: { eventName: string; action: string; resource: string; decision: string }): string {
  return `${r.eventName}|${r.action}|${r.resource}|${r.decision}`;
}

function checkFinding(actual: Finding, expected: ExpectedFinding): void {
  assert.equal(actual.principal.type, expected.principalType, 'principal type');
  assert.equal(actual.client.tool, expected.clientTool, 'client tool');
  assert.equal(actual.cause, expected.cause, `cause (summary: ${actual.summary})`);
  assert.equal(actual.evidence, expected.evidence, 'evidence');

  const actualRequests = new Set(actual.requests.map(requestKey));
  const expectedRequests = new Set(expected.requests.map(requestKey));
  for (const key of expectedRequests)
    assert.ok(actualRequests.has(key), `missing request ${key}; got ${[...actualRequests].join(' ; ')}`);
  for (const key of actualRequests) {
    assert.ok(expectedRequests.has(key) || key.endsWith('|Allowed'), `unexpected denied request ${key}`);
  }
  for (const want of expected.requests) {
    if (want.missingAllowIn === undefined) continue;
    for (const got of actual.requests.filter((r) => requestKey(r) === requestKey(want))) {
      assert.deepEqual(
        [...(got.missingAllowIn ?? [])].sort(),
        [...want.missingAllowIn].sort(),
        `kinds of policy with no Allow for ${requestKey(want)}`,
      );
    }
  }

  for (const want of expected.deniedBy) {
    assert.ok(
      actual.deniedBy.some((got) =>
        Object.entries(want).every(([k, v]) => (got as unknown as Record<string, unknown>)[k] === v),
      ),
      `deniedBy ${JSON.stringify(want)} not in ${JSON.stringify(actual.deniedBy)}`,
    );
  }
  if (expected.deniedBy.length === 0) assert.deepEqual(actual.deniedBy, [], 'no deniedBy expected');

  if (expected.fix === null) {
    assert.equal(actual.fix, null, `expected no fix, got ${JSON.stringify(actual.fix?.statements)}`);
  } else {
    assert.ok(actual.fix !== null, `expected a fix; caveats: ${actual.caveats.join(' | ')}`);
    assert.equal(actual.fix.attachTo, expected.fix.attachTo, 'fix.attachTo');
    assert.equal(actual.fix.attachKind, expected.fix.attachKind, 'fix.attachKind');
    assert.deepEqual(
      new Set(actual.fix.statements.map(statementKey)),
      new Set(expected.fix.statements.map(statementKey)),
      'fix statements',
    );
    if (expected.fix.identityStatements !== undefined) {
      assert.deepEqual(
        new Set((actual.fix.identityStatements ?? []).map(statementKey)),
        new Set((expected.fix.identityStatements ?? []).map(statementKey)),
        'fix identityStatements',
      );
    }
    if (expected.fix.identityChange !== undefined) {
      assert.equal(
        actual.fix.identityChange?.attachTo,
        expected.fix.identityChange.attachTo,
        'identityChange.attachTo',
      );
      assert.equal(
        actual.fix.identityChange?.attachKind,
        expected.fix.identityChange.attachKind,
        'identityChange.attachKind',
      );
    }
    if (expected.fix.boundaryStatements !== undefined) {
      assert.deepEqual(
        new Set((actual.fix.boundary?.statements ?? []).map(statementKey)),
        new Set((expected.fix.boundaryStatements ?? []).map(statementKey)),
        'fix boundary statements',
      );
    }
    // A fix computed from the caller's policies is verified by the engine; one derived from the message alone is not.
    assert.equal(
      actual.fix.verified,
      actual.evidence === 'policies',
      `fix verification: ${actual.fix.verification.join(' | ')} ${actual.caveats.join(' | ')}`,
    );
  }

  assert.equal(actual.repeatOf, expected.repeatOf, 'repeatOf');
  assert.equal(actual.jobProfile?.operation ?? null, expected.jobProfileOperation, 'job profile operation');
  if (expected.jobProfileTool !== undefined)
    assert.equal(actual.jobProfile?.tool, expected.jobProfileTool, 'job profile tool');
  if (expected.jobProfileResources !== undefined) {
    assert.deepEqual(
      [...new Set(actual.jobProfile?.statements.flatMap((st) => st.Resource) ?? [])].sort(),
      [...expected.jobProfileResources].sort(),
      'job profile resources',
    );
  }
  if (expected.jobProfileActions !== undefined) {
    assert.deepEqual(
      [...new Set(actual.jobProfile?.statements.flatMap((st) => st.Action) ?? [])].sort(),
      [...expected.jobProfileActions].sort(),
      'job profile actions',
    );
  }
  if (expected.jobProfileConditions !== undefined) {
    assert.deepEqual(
      Object.fromEntries(
        (actual.jobProfile?.statements ?? [])
          .filter((st) => st.Condition !== undefined)
          .map((st) => [st.Sid ?? '', { Action: st.Action, Condition: st.Condition }]),
      ),
      expected.jobProfileConditions,
      'job profile conditions',
    );
  }
  // The alternatives the scenario needs must be offered (others may be offered too).
  const removes = new Set(actual.alternatives.flatMap((a) => a.removes));
  for (const grant of expected.alternativesRemove) {
    assert.ok(
      removes.has(grant),
      `an alternative should remove ${grant}; offered: ${[...removes].join(', ')}`,
    );
  }
  for (const needle of expected.alternativesMention ?? []) {
    assert.ok(
      actual.alternatives.some((a) => a.text.toLowerCase().includes(needle.toLowerCase())),
      `an alternative should mention "${needle}": ${actual.alternatives.map((a) => a.text).join(' | ')}`,
    );
  }
  for (const needle of expected.jobProfileNotesMention ?? []) {
    assert.ok(
      (actual.jobProfile?.notes ?? []).some((n) => n.toLowerCase().includes(needle.toLowerCase())),
      `a job profile note should mention "${needle}": ${(actual.jobProfile?.notes ?? []).join(' | ')}`,
    );
  }
  for (const needle of expected.caveatsMention ?? []) {
    assert.ok(
      actual.caveats.some((c) => c.toLowerCase().includes(needle.toLowerCase())),
      `caveats should mention "${needle}": ${actual.caveats.join(' | ')}`,
    );
  }
}

describe('sample scenarios in events/', () => {
  test('the library holds at least 15 scenarios', () => {
    assert.ok(scenarioDirs.length >= 15, `only ${scenarioDirs.length} scenarios`);
  });
  for (const name of scenarioDirs) {
    const dir = join(EVENTS, name);
    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
    test(`${name}: ${scenario.title}`, async () => {
      const report = await explainScenario(dir, scenario.args);
      assert.equal(
        report.errors.length,
        scenario.expect.errorsCount,
        `errors: ${JSON.stringify(report.errors)}`,
      );
      assert.equal(
        report.skipped.length,
        scenario.expect.skippedCount,
        `skipped: ${JSON.stringify(report.skipped)}`,
      );
      assert.equal(
        report.findings.length,
        scenario.expect.findings.length,
        `findings: ${report.findings.map((f) => f.summary).join(' | ')}`,
      );
      for (const expected of scenario.expect.findings) {
        const actual = report.findings.find((f) => f.principal.arn === expected.principalArn);
        assert.ok(
          actual !== undefined,
          `no finding for ${expected.principalArn}; got ${report.findings.map((f) => f.principal.arn).join(', ')}`,
        );
        checkFinding(actual, expected);
      }
    });
  }
});
