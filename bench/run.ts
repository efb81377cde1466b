/**
 * `npm run bench`: runs every benchmark in one process and prints Markdown tables with ratios against
 * the baselines run alongside.
 */
import { runExplainBench } from './explain.bench.js';
import { formatResults } from './measure.js';
import { runPolicyEngineBench } from './policyEngine.bench.js';

const only = process.argv[2];

if (only === undefined || only === 'policy') {
  const results = runPolicyEngineBench();
  console.log(
    formatResults(
      'Policy engine: evaluations per second (decisions; explanations are built only when read)',
      results,
      (i) => (i < 2 ? 0 : 2),
    ),
  );
}

if (only === undefined || only === 'explain') {
  const outcome = await runExplainBench();
  console.log(
    formatResults(
      'explain (100,000-event trail file, snapshot loaded once), events per second',
      outcome.results,
      () => 0,
    ),
  );
  console.log(`${outcome.notes.join('\n')}\n`);
}
