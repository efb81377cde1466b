import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  fitLines,
  omittedMarker,
  truncateMrkdwn,
  truncateText,
} from '../../../src/domain/render/truncate.js';

const MARKER = /\u2026 \((\d+) more (\w+) omitted; see the JSON report\)$/;

describe('truncateText', () => {
  test('leaves text within the limit unchanged', () => {
    assert.equal(truncateText('short', 10), 'short');
  });

  test('cuts long text to the limit and counts exactly the characters left out', () => {
    const text = 'a'.repeat(5000);
    const cut = truncateText(text, 100);
    assert.ok(cut.length <= 100);
    const match = MARKER.exec(cut);
    assert.ok(match, cut);
    const kept = cut.slice(0, cut.indexOf(' \u2026'));
    assert.equal(kept.length + Number(match[1]), text.length);
  });

  test('never splits an escaped entity or a surrogate pair', () => {
    for (let max = 60; max < 90; max++) {
      const cut = truncateText(`${'x'.repeat(3)}${'&amp;'.repeat(30)}`, max);
      const kept = cut.slice(0, cut.indexOf(' \u2026'));
      assert.match(kept, /^x{0,3}(&amp;)*$/, `max ${max}: ${kept}`);
      const emoji = truncateText('\u{1F600}'.repeat(60), max);
      assert.doesNotMatch(emoji, /[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  test('never exceeds the limit, for any text and limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 1, max: 300 }),
        (text, max) => {
          assert.ok(truncateText(text, max).length <= max);
        },
      ),
    );
  });
});

describe('fitLines', () => {
  test('keeps whole lines and counts the lines left out', () => {
    const lines = Array.from({ length: 100 }, (_, index) => `line number ${index}`);
    const fitted = fitLines(lines, 300, 'requests');
    assert.ok(fitted.length <= 300);
    const out = fitted.split('\n');
    const marker = out.pop() ?? '';
    assert.deepEqual(out, lines.slice(0, out.length));
    assert.equal(marker, omittedMarker(lines.length - out.length, 'requests'));
  });

  test('shows a truncated first line when even one line does not fit', () => {
    const fitted = fitLines(['x'.repeat(1000), 'second'], 200, 'lines');
    assert.ok(fitted.length <= 200);
    assert.match(fitted, /^x+ \u2026 \(\d+ more characters omitted; see the JSON report\)\n/);
    assert.match(fitted, /1 more line omitted/);
  });

  test('never exceeds the limit for any list of lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 60 }),
        fc.integer({ min: 120, max: 3000 }),
        (lines, max) => {
          assert.ok(fitLines(lines, max, 'lines').length <= max);
        },
      ),
    );
  });
});

describe('truncateMrkdwn', () => {
  test('closes a code span the cut leaves open, so that the rest of the value stays code', () => {
    const text = `Key \`${'L'.repeat(200)}*bold*${'M'.repeat(200)}\` done`;
    const cut = truncateMrkdwn(text, 150);
    assert.ok(cut.length <= 150, `${cut.length}`);
    const kept = cut.slice(0, cut.indexOf(' \u2026'));
    assert.equal(kept.split('`').length - 1, 2, cut);
    assert.ok(kept.endsWith('L`'), cut);
  });

  test('whatever the cut, the text kept has its spans closed, none empty, and fits', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }).map((t) => t.replaceAll('`', '')),
      fc.string({ minLength: 1, maxLength: 30 }).map((t) => `\`${t.replaceAll('`', '') || 'x'}\``),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.integer({ min: 60, max: 400 }), (pieces, max) => {
        const text = pieces.join(' ');
        const cut = truncateMrkdwn(text, max);
        assert.ok(cut.length <= max);
        const kept = cut.length === text.length ? cut : cut.slice(0, cut.lastIndexOf(' \u2026'));
        assert.equal((kept.split('`').length - 1) % 2, 0, cut);
        assert.doesNotMatch(kept, /``/);
      }),
    );
    assert.equal(truncateMrkdwn('short `code`', 100), 'short `code`');
  });
});
