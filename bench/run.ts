/**
 * `npm run bench`: runs every benchmark in one process and prints Markdown tables with ratios against
 * the baselines run alongside.
 */
import { parseArgs } from 'node:util';
import { runExplainBench } from './explain.bench.js';
import { checkDeniedShare } from './generateTrail.js';
import { formatResults } from './measure.js';
import { runPolicyEngineBench } from './policyEngine.bench.js';

const USAGE = 'usage: npm run bench [-- policy | explain [--denied-share SHARE]]';

function parseBenchArgs(): { only: string | undefined; deniedShare: number | undefined } {
  try {
    const { positionals, values } = parseArgs({
      allowPositionals: true,
      options: { 'denied-share': { type: 'string' } },
    });
    const [only, extra] = positionals;
    if (extra !== undefined || (only !== undefined && only !== 'policy' && only !== 'explain')) {
      throw new Error(`unexpected argument ${JSON.stringify(extra ?? only)}`);
    }
    const share = values['denied-share'];
    if (share !== undefined && only === 'policy')
      throw new Error('--denied-share applies to the explain bench');
    return { only, deniedShare: share === undefined ? undefined : checkDeniedShare(Number(share)) };
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const { only, deniedShare } = parseBenchArgs();

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
  const outcome = await runExplainBench(deniedShare === undefined ? {} : { deniedShare });
  console.log(
    formatResults(
      'explain (100,000-event trail file, snapshot loaded once), events per second',
      outcome.results,
      () => 0,
    ),
  );
  console.log(`${outcome.notes.join('\n')}\n`);
}
