/**
 * Data-first cross-check of the policy engine: every JSON file in `cases/` holds named cases whose
 * expectations were derived from the AWS documentation page each case cites, not from the engine.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isJsonObject } from '../../../src/domain/json/jsonValue.js';
import { createPolicyCache, runSimulation } from '../../../src/domain/policy/simulation.js';
import type { Decision, PolicyType } from '../../../src/domain/policy/types.js';

const casesDirectory = fileURLToPath(new URL('./cases/', import.meta.url));
const minimumCaseCount = 150;
const decisions: readonly Decision[] = ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied'];
const policyTypes: readonly PolicyType[] = [
  'identity',
  'resource',
  'permissions-boundary',
  'scp',
  'rcp',
  'session',
];
const expectKeys = ['decision', 'deniedBy', 'missingAllowIn', 'explanations', 'problems', 'error'] as const;

type FieldSubset = Readonly<Record<string, unknown>>;

interface CaseExpectation {
  readonly decision?: Decision;
  readonly deniedBy?: readonly FieldSubset[];
  readonly missingAllowIn?: readonly PolicyType[];
  readonly explanations?: readonly FieldSubset[];
  readonly problems?: readonly FieldSubset[];
  readonly error?: string;
}

interface PolicyCase {
  readonly file: string;
  readonly name: string;
  readonly doc: string;
  readonly input: unknown;
  readonly expect: CaseExpectation;
}

function isPartialList(value: unknown): value is readonly FieldSubset[] {
  return Array.isArray(value) && value.every(isJsonObject);
}

function parseExpectation(value: unknown, where: string): CaseExpectation {
  if (!isJsonObject(value)) throw new Error(`${where}: "expect" must be an object`);
  for (const key of Object.keys(value)) {
    if (!(expectKeys as readonly string[]).includes(key))
      throw new Error(`${where}: unknown expect key "${key}"`);
  }
  const { decision, deniedBy, missingAllowIn, explanations, problems, error } = value;
  if ((decision === undefined) === (error === undefined)) {
    throw new Error(`${where}: expect needs exactly one of "decision" or "error"`);
  }
  if (decision !== undefined && !decisions.includes(decision as Decision)) {
    throw new Error(`${where}: unknown decision ${JSON.stringify(decision)}`);
  }
  if (error !== undefined && typeof error !== 'string')
    throw new Error(`${where}: "error" must be a code prefix`);
  if (deniedBy !== undefined && !isPartialList(deniedBy))
    throw new Error(`${where}: "deniedBy" must be objects`);
  if (explanations !== undefined && !isPartialList(explanations)) {
    throw new Error(`${where}: "explanations" must be objects`);
  }
  if (problems !== undefined && !isPartialList(problems))
    throw new Error(`${where}: "problems" must be objects`);
  if (
    missingAllowIn !== undefined &&
    !(
      Array.isArray(missingAllowIn) &&
      missingAllowIn.every((type) => policyTypes.includes(type as PolicyType))
    )
  ) {
    throw new Error(`${where}: "missingAllowIn" must list policy types`);
  }
  if (
    error !== undefined &&
    [deniedBy, missingAllowIn, explanations, problems].some((x) => x !== undefined)
  ) {
    throw new Error(`${where}: an error case cannot also expect evaluation details`);
  }
  return value as CaseExpectation;
}

function parseCase(value: unknown, file: string, index: number): PolicyCase {
  const where = `${file}[${index}]`;
  if (!isJsonObject(value)) throw new Error(`${where}: a case must be an object`);
  const { name, doc, input, expect } = value;
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`${where}: "name" must be a sentence`);
  if (typeof doc !== 'string') throw new Error(`${where} (${name}): "doc" must be a URL`);
  if (!isJsonObject(input)) throw new Error(`${where} (${name}): "input" must be an object`);
  return { file, name, doc, input, expect: parseExpectation(expect, `${where} (${name})`) };
}

function loadCases(): PolicyCase[] {
  const files = readdirSync(casesDirectory)
    .filter((file) => file.endsWith('.json'))
    .sort();
  const loaded: PolicyCase[] = [];
  for (const file of files) {
    const content: unknown = JSON.parse(readFileSync(`${casesDirectory}${file}`, 'utf8'));
    if (!isJsonObject(content) || typeof content.topic !== 'string' || !Array.isArray(content.cases)) {
      throw new Error(`${file}: expected {"topic": string, "cases": [...]}`);
    }
    content.cases.forEach((value: unknown, index: number) => {
      loaded.push(parseCase(value, file, index));
    });
  }
  return loaded;
}

/** Objects match on the fields the expectation gives; arrays match when every expected item matches some item. */
function matchesPartial(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.every((item) => actual.some((candidate) => matchesPartial(item, candidate)))
    );
  }
  if (isJsonObject(expected)) {
    return (
      isJsonObject(actual) &&
      Object.entries(expected).every(([key, value]) => matchesPartial(value, actual[key]))
    );
  }
  return Object.is(expected, actual);
}

/** Set equality on the given fields: same size and a one-to-one pairing of expected and actual entries. */
function matchesAsSet(expected: readonly FieldSubset[], actual: readonly unknown[]): boolean {
  if (expected.length !== actual.length) return false;
  const used = new Set<number>();
  const pair = (position: number): boolean => {
    if (position === expected.length) return true;
    for (let index = 0; index < actual.length; index += 1) {
      if (!used.has(index) && matchesPartial(expected[position], actual[index])) {
        used.add(index);
        if (pair(position + 1)) return true;
        used.delete(index);
      }
    }
    return false;
  };
  return pair(0);
}

function show(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

const cases = loadCases();
const cache = createPolicyCache();

describe('policy case files', () => {
  test(`at least ${minimumCaseCount} cases load from the case files`, () => {
    assert.ok(cases.length >= minimumCaseCount, `only ${cases.length} cases loaded`);
  });

  test('case names are unique so every case is reported on its own', () => {
    const firstIndex = new Map<string, number>();
    cases.forEach((c, index) => {
      if (!firstIndex.has(c.name)) firstIndex.set(c.name, index);
    });
    const duplicates = cases.filter((c, index) => firstIndex.get(c.name) !== index);
    assert.deepEqual(
      duplicates.map((c) => `${c.file}: ${c.name}`),
      [],
    );
  });

  test('every case cites an AWS documentation page', () => {
    const offenders = cases.filter((c) => {
      try {
        const url = new URL(c.doc);
        return (
          url.protocol !== 'https:' ||
          url.hostname !== 'docs.aws.amazon.com' ||
          !c.doc.startsWith('https://docs.aws.amazon.com/')
        );
      } catch {
        return true;
      }
    });
    assert.deepEqual(
      offenders.map((c) => `${c.file}: ${c.name} -> ${c.doc}`),
      [],
    );
  });
});

for (const file of [...new Set(cases.map((c) => c.file))]) {
  describe(file, () => {
    for (const policyCase of cases.filter((c) => c.file === file)) {
      test(policyCase.name, () => {
        const { expect } = policyCase;
        const outcome = runSimulation(policyCase.input, cache);
        const context = `\nsee ${policyCase.doc}`;

        if (expect.error !== undefined) {
          assert.equal(
            outcome.ok,
            false,
            `expected an invalid-request error${context}\ngot ${show(outcome)}`,
          );
          if (!outcome.ok) {
            assert.ok(
              outcome.error.code.startsWith(expect.error),
              `error code ${outcome.error.code} does not start with ${expect.error}${context}`,
            );
          }
          return;
        }

        assert.ok(outcome.ok, `expected a result, got ${show(outcome)}${context}`);
        const { result } = outcome;
        assert.equal(
          result.decision,
          expect.decision,
          `decision${context}\ndeniedBy ${show(result.deniedBy)}\nmissingAllowIn ${show(result.missingAllowIn)}`,
        );

        // The lead's output contract: deniedBy only for explicit denies, missingAllowIn only for implicit ones.
        if (result.decision === 'ExplicitlyDenied') {
          assert.ok(result.deniedBy.length > 0, 'an explicit deny names at least one Deny statement');
        } else {
          assert.deepEqual(result.deniedBy, [], 'deniedBy is empty unless the decision is ExplicitlyDenied');
        }
        if (result.decision !== 'ImplicitlyDenied') {
          assert.deepEqual(
            result.missingAllowIn,
            [],
            'missingAllowIn is empty unless the decision is ImplicitlyDenied',
          );
        }

        if (expect.deniedBy !== undefined) {
          assert.ok(
            matchesAsSet(expect.deniedBy, result.deniedBy),
            `deniedBy${context}\nexpected ${show(expect.deniedBy)}\nactual ${show(result.deniedBy)}`,
          );
        }
        if (expect.missingAllowIn !== undefined) {
          assert.deepEqual(
            [...new Set(result.missingAllowIn)].sort(),
            [...new Set(expect.missingAllowIn)].sort(),
            `missingAllowIn${context}`,
          );
        }
        for (const explanation of expect.explanations ?? []) {
          assert.ok(
            result.explanations.some((actual) => matchesPartial(explanation, actual)),
            `no explanation matches ${show(explanation)}${context}\nactual ${show(result.explanations)}`,
          );
        }
        if (expect.problems === undefined) {
          assert.deepEqual(result.policyProblems, [], `valid policies report no problems${context}`);
        }
        for (const problem of expect.problems ?? []) {
          assert.ok(
            result.policyProblems.some((actual) => matchesPartial(problem, actual)),
            `no policy problem matches ${show(problem)}${context}\nactual ${show(result.policyProblems)}`,
          );
        }
      });
    }
  });
}
