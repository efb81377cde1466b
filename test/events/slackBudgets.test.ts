/**
 * Slack's budget goes to what the on-call engineer acts on: a finding's caveats (one of them may be the
 * only word on what its fix leaves refused) and its alternatives (the better way may be among them) come
 * whole before the job profile's notes, which are cut first (scenarios 27 and 23).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderSlack } from '../../src/domain/render/slack.js';
import { explainScenario } from './explainScenario.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');

async function slackOf(name: string): Promise<string> {
  const { args } = JSON.parse(readFileSync(join(EVENTS, name, 'scenario.json'), 'utf8')) as {
    args: string[];
  };
  const report = await explainScenario(join(EVENTS, name), args);
  return JSON.stringify(renderSlack(report));
}

describe("Slack's sections", () => {
  for (const name of ['27-rclone-purge-deletes-only', '23-rclone-old-acl-upgrade']) {
    test(`${name}: no caveat or alternative is cut`, async () => {
      const text = await slackOf(name);
      assert.doesNotMatch(text, /more caveats omitted/);
      assert.doesNotMatch(text, /more alternatives omitted/);
    });
  }
});

describe("scenario 44's verified fix in Slack", () => {
  test("keeps every verification line, the check's limits last (none omitted)", async () => {
    const dir = join(import.meta.dirname, '..', '..', 'events', '44-cross-account-read-both-sides');
    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { args: string[] };
    const report = await explainScenario(dir, scenario.args);
    const slack = JSON.stringify(renderSlack(report));
    assert.match(slack, /Not checked, as the input holds none/);
    assert.doesNotMatch(slack, /more notes? omitted/);
  });
});
