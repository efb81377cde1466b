import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobProfile, Skipped } from '../../../src/domain/explain/report.js';
import { groupSkipped, jobProfileLabel } from '../../../src/domain/render/reportWording.js';

function skipped(eventId: string, reason: Skipped['reason']): Skipped {
  return { eventId, reason, message: `${eventId} skipped` };
}

describe('groupSkipped', () => {
  test('puts the largest group first, keeps the first events of each, and ties in order of appearance', () => {
    const events = [
      skipped('d1', 'duplicate'),
      skipped('u1', 'unsupported-operation'),
      skipped('n1', 'not-denied'),
      skipped('n2', 'not-denied'),
      skipped('s1', 'not-s3'),
      skipped('n3', 'not-denied'),
    ];
    const groups = groupSkipped(events, 2);
    assert.deepEqual(
      groups.map((group) => [group.reason, group.count, group.examples.map((event) => event.eventId)]),
      [
        ['not-denied', 3, ['n1', 'n2']],
        ['duplicate', 1, ['d1']],
        ['unsupported-operation', 1, ['u1']],
        ['not-s3', 1, ['s1']],
      ],
    );
    assert.deepEqual(
      groupSkipped(events, 0).map((group) => group.examples.length),
      [0, 0, 0, 0],
    );
    assert.deepEqual(groupSkipped([], 3), []);
  });
});

describe('jobProfileLabel', () => {
  const profile = (tool: JobProfile['tool'], operation: JobProfile['operation']): JobProfile => ({
    tool,
    operation,
    statements: [],
    notes: [],
  });

  test('the tool and its operation; the tool alone when the operation is unknown', () => {
    assert.equal(jobProfileLabel(profile('rclone', 'copy')), 'rclone copy');
    assert.equal(jobProfileLabel(profile('aws-cli', 'sync')), 'aws-cli sync');
    assert.equal(jobProfileLabel(profile('restic', 'unknown')), 'restic');
    assert.equal(jobProfileLabel(profile('terraform', 'unknown')), 'terraform');
  });
});
