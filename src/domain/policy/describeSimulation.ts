/**
 * Plain-text rendering of a simulation result for terminals.
 */
import { keepsStatement } from './parsePolicy.js';
import type { SimulationResult } from './simulation.js';
import type { StatementExplanation, StatementRef } from './types.js';

/** Removes control characters so that text from policies cannot rewrite the terminal. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function describeRef(ref: StatementRef): string {
  const policy = ref.policyName ?? ref.policyArn ?? `${ref.policyType} policy #${ref.policyIndex}`;
  const level = ref.level !== undefined ? ` (level ${ref.level})` : '';
  const sid = ref.sid !== undefined ? `"${ref.sid}"` : `#${ref.statementIndex}`;
  return clean(`${ref.policyType}${level} ${policy}, statement ${sid}`);
}

function describeExplanation(e: StatementExplanation): string {
  const head = `${e.effect} ${describeRef(e)}`;
  if (e.applies) return `  applies      ${head}`;
  let why = '';
  switch (e.mismatch) {
    case 'resource':
      why =
        e.notResource === true
          ? `resource excluded by NotResource ${(e.resourcePatterns ?? []).join(', ')}`
          : `resource not matched by ${(e.resourcePatterns ?? []).join(', ')}`;
      break;
    case 'principal':
      why =
        e.notPrincipal === true
          ? `principal exempted by NotPrincipal ${(e.principalPatterns ?? []).join(', ')}`
          : `principal not matched by ${(e.principalPatterns ?? []).join(', ')}`;
      break;
    case 'condition':
      why = (e.conditionFailures ?? [])
        .map((f) => {
          const got =
            f.requestValues.length > 0
              ? `request has ${JSON.stringify(f.requestValues)}`
              : 'key absent from request';
          return `${f.operator} ${f.key} ${JSON.stringify(f.policyValues)} failed (${f.reason}; ${got})`;
        })
        .join('; ');
      break;
    default:
      why = 'did not apply';
  }
  return `  not applied  ${head}: ${clean(why)}`;
}

export function describeSimulation(result: SimulationResult): string {
  const lines = [`Decision: ${result.decision}`];
  if (result.deniedBy.length > 0) {
    lines.push('Denied by:');
    for (const ref of result.deniedBy) lines.push(`  ${describeRef(ref)}`);
  }
  if (result.missingAllowIn.length > 0)
    lines.push(`No applicable Allow in: ${result.missingAllowIn.join(', ')}`);
  for (const w of result.warnings) lines.push(`Warning (${w.code}): ${w.message}`);
  if (result.explanations.length > 0) {
    lines.push('Statements that cover the action:');
    for (const e of result.explanations) lines.push(describeExplanation(e));
  } else {
    lines.push('No statement covers the action.');
  }
  if (result.policyProblems.length > 0) {
    lines.push('Policy problems (IAM would refuse these policies):');
    for (const p of result.policyProblems) {
      const where = [
        p.policyName ?? `${p.policyType} #${p.policyIndex}`,
        p.statementIndex !== undefined ? `statement ${p.statementIndex}` : '',
        p.field ?? '',
      ]
        .filter((s) => s !== '')
        .join(', ');
      const done =
        p.statementIndex === undefined
          ? ''
          : keepsStatement(p)
            ? ' (the rest of the statement is evaluated)'
            : ' (the statement is left out)';
      lines.push(clean(`  ${p.code} (${where}): ${p.message}${done}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
