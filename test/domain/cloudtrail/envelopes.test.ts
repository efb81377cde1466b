import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  extractRecords,
  TrailFileSplitError,
  trailFileRecords,
} from '../../../src/domain/cloudtrail/envelopes.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/cloudtrail/${name}`, import.meta.url), 'utf8');
}

const bareRecord = {
  eventVersion: '1.10',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/reports', accountId: '111122223333' },
  eventTime: '2026-11-20T03:12:15Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'HeadObject',
  errorCode: 'AccessDenied',
  errorMessage: 'Access Denied',
  eventID: 'e7f8a9b0-c1d2-4e3f-8a4b-5c6d7e8f9a0b',
};

describe('extractRecords on each envelope', () => {
  test('an SQS message whose body is an SNS notification (no raw message delivery) yields the event in its Message', () => {
    const eventBridge = {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      detail: bareRecord,
    };
    const notification = {
      Type: 'Notification',
      MessageId: 'n-1',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:s3-denials',
      Message: JSON.stringify(eventBridge),
    };
    const sqs = {
      Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body: JSON.stringify(notification) }],
    };
    const { records, errors } = extractRecords(JSON.stringify(sqs), 'sqs.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record]),
      [['$.Records[0].body.Message.detail', bareRecord]],
    );
  });

  test('CloudTrail Lake query results are named as such, with what to give instead', () => {
    const { records, errors } = extractRecords(
      JSON.stringify({
        QueryStatus: 'FINISHED',
        QueryStatistics: {},
        QueryResultRows: [[{ eventName: 'GetObject' }]],
      }),
      'lake.json',
    );
    assert.deepEqual(records, []);
    assert.match(
      errors[0]?.message ?? '',
      /^lake\.json at \$: CloudTrail Lake query results \(get-query-results\), whose rows are the query's columns, not CloudTrail records; give explain the trail's log files/,
    );
    assert.equal(errors[0]?.code, 'cloudtrail.lakeQueryResults');
  });

  // What to give instead, as the get-query-results message says it.
  const lakeAdvice =
    "whose rows are the query's columns, not CloudTrail records; give explain the trail's log files (its S3 " +
    "bucket's CloudTrail/ folder), an EventBridge event, or lookup-events output for management events.";

  test("a saved CloudTrail Lake query's CSV results are named as such, by their header or their path", () => {
    const csv =
      'eventid,eventtime,eventsource,eventname,errorcode,useridentity\n' +
      'b3ca29a2,2026-11-28 02:00:01.000,s3.amazonaws.com,HeadObject,AccessDenied,"{type=IAMUser, arn=x}"\n' +
      'c4db3ab3,2026-11-28 02:00:02.000,s3.amazonaws.com,GetObject,AccessDenied,"{type=IAMUser, arn=x}"\n';
    const byHeader = extractRecords(csv, 'export/result_1.csv.gz');
    assert.deepEqual(byHeader.records, []);
    assert.deepEqual(
      byHeader.errors.map((e) => [e.input, e.position, e.code, e.message]),
      [
        [
          'export/result_1.csv.gz',
          undefined,
          'cloudtrail.lakeQueryResults',
          // Moved out of where CloudTrail delivers it: its origin is not claimed (Athena's results over a
          // trail's logs have such a header too).
          'export/result_1.csv.gz: CSV whose header names CloudTrail record fields (eventid, eventtime, ' +
            "eventsource, …), such as a CloudTrail Lake export or an Athena query's results, " +
            lakeAdvice,
        ],
      ],
    );
    assert.equal(
      extractRecords(csv, 'AWSLogs/111122223333/CloudTrail-Lake/Query/2026/11/29/0a1b/result_1.csv.gz')
        .errors[0]?.message,
      'AWSLogs/111122223333/CloudTrail-Lake/Query/2026/11/29/0a1b/result_1.csv.gz: a saved CloudTrail Lake ' +
        "query's results (CSV, as CloudTrail delivers them to S3 under CloudTrail-Lake/Query/), " +
        lakeAdvice,
    );
    // Quoted column names of the query's own, in CloudTrail's case.
    assert.equal(
      extractRecords('"eventID","n"\r\n"b3ca29a2","1"\r\n', 'q.csv').errors[0]?.code,
      'cloudtrail.lakeQueryResults',
    );
    // Where CloudTrail delivers it, whatever its columns (a count of a query's own naming).
    const path = 'AWSLogs/111122223333/CloudTrail-Lake/Query/2026/11/29/0a1b/result_1.csv.gz';
    assert.equal(extractRecords('denials\n3\n', path).errors[0]?.code, 'cloudtrail.lakeQueryResults');
    assert.equal(
      extractRecords('denials\n3\n', path.replaceAll('/', '\\')).errors[0]?.code,
      'cloudtrail.lakeQueryResults',
    );
  });

  test('events saved as JSON under a CloudTrail-Lake/Query/ path are read, not taken for query results', () => {
    const dir = 'AWSLogs/111122223333/CloudTrail-Lake/Query/2026/11/27/qid/';
    const one = (id: string) => ({ ...bareRecord, eventID: id });
    const names = (text: string, file: string) => {
      const { records, errors } = extractRecords(text, dir + file);
      return { ids: records.map((r) => r.record.eventID), codes: errors.map((e) => e.code) };
    };
    // JSON lines, and trail files joined with `cat` (one document per line).
    assert.deepEqual(names(`${JSON.stringify(one('a'))}\n${JSON.stringify(one('b'))}\n`, 'events.jsonl'), {
      ids: ['a', 'b'],
      codes: [],
    });
    assert.deepEqual(
      names(
        `${JSON.stringify({ Records: [one('a')] })}\n${JSON.stringify({ Records: [one('b')] })}\n`,
        'cat.json',
      ),
      { ids: ['a', 'b'], codes: [] },
    );
    // One document of a known envelope.
    assert.deepEqual(names(JSON.stringify({ Records: [one('a')] }), 'trail.json'), { ids: ['a'], codes: [] });
    // Pretty-printed documents one after another stay invalid JSON, with how to join them.
    const pretty = `${JSON.stringify(one('a'), null, 2)}\n${JSON.stringify(one('b'), null, 2)}\n`;
    const { errors } = extractRecords(pretty, `${dir}pretty.json`);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['cloudtrail.invalidJson'],
    );
    assert.match(errors[0]?.message ?? '', /several JSON documents one after another/);
  });

  test('text that is not JSON for another reason is not taken for a CloudTrail Lake export', () => {
    for (const text of [
      '{"eventName": "GetObject",}',
      'eventName: GetObject\neventSource: s3.amazonaws.com\n',
      'denials,count\n3,4\n',
      'eventName GetObject\n',
      '<html>eventName</html>\n',
    ])
      assert.deepEqual(
        extractRecords(text, 'AWSLogs/111122223333/CloudTrail/x.json').errors.map((e) => e.code),
        ['cloudtrail.invalidJson'],
        text,
      );
  });

  test("a saved CloudTrail Lake query's sign file is named as one, with what to give instead", () => {
    const sign = {
      version: '1.0',
      region: 'us-east-1',
      files: [{ fileHashValue: 'de85', fileName: 'result_1.csv.gz' }],
      hashAlgorithm: 'SHA-256',
      signatureAlgorithm: 'SHA256withRSA',
      queryCompleteTime: '2022-05-10T22:06:30Z',
      hashSignature: '7664',
      publicKeyFingerprint: '67b9',
    };
    const { records, errors } = extractRecords(JSON.stringify(sign), 'result_sign.json');
    assert.deepEqual(records, []);
    assert.deepEqual(
      errors.map((e) => [e.position, e.code, e.message]),
      [
        [
          '$',
          'cloudtrail.lakeQueryResults',
          "result_sign.json at $: the sign file of a saved CloudTrail Lake query's results (result_sign.json, " +
            'which verify-query-results checks), which lists the result files and their hashes but holds no ' +
            `events; ${lakeAdvice.slice(lakeAdvice.indexOf('give explain'))}`,
        ],
      ],
    );
  });

  test('a bare record is returned as is, at the root', () => {
    const { records, errors } = extractRecords(JSON.stringify(bareRecord), 'bare.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(records, [{ input: 'bare.json', position: '$', record: bareRecord }]);
  });

  test('an EventBridge event yields its detail', () => {
    const { records, errors } = extractRecords(
      fixture('eventbridge-rclone-putobject-denied.json'),
      'eb.json',
    );
    assert.deepEqual(errors, []);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.position, '$.detail');
    assert.equal(records[0]?.record.eventID, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
  });

  test('a trail file yields every entry of Records with its index', () => {
    const { records, errors } = extractRecords(fixture('trail-file-mixed.json'), 'trail.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record.eventName]),
      [
        ['$.Records[0]', 'ListObjects'],
        ['$.Records[1]', 'GetObject'],
        ['$.Records[2]', 'ListAttachedUserPolicies'],
        ['$.Records[3]', 'HeadObject'],
      ],
    );
  });

  test('lookup-events output yields the parsed CloudTrailEvent strings', () => {
    const { records, errors } = extractRecords(fixture('lookup-events-s3-denied.json'), 'lookup.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record.eventName, r.record.eventID]),
      [
        ['$.Events[0].CloudTrailEvent', 'CreateBucket', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'],
        ['$.Events[1].CloudTrailEvent', 'ListBuckets', '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'],
      ],
    );
  });

  test('a lookup-events page that ends with a NextToken is read, with a warning that it holds the first page only', () => {
    const lookup = JSON.parse(fixture('lookup-events-s3-denied.json')) as { Events: unknown[] };
    const complete = extractRecords(JSON.stringify(lookup), 'lookup.json');
    assert.deepEqual(complete.warnings, []);
    const page = extractRecords(JSON.stringify({ ...lookup, NextToken: 'eyJ2IjoyfQ==' }), 'lookup.json');
    assert.equal(page.records.length, 2);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(
      page.warnings.map((w) => w.code),
      ['cloudtrail.lookupEventsNextToken'],
    );
    assert.match(page.warnings[0]!.message, /^lookup\.json: the lookup-events output ends with a NextToken/);
    // An empty token is the last page.
    assert.deepEqual(
      extractRecords(JSON.stringify({ ...lookup, NextToken: '' }), 'lookup.json').warnings,
      [],
    );
  });

  test('lookup-events output reshaped by --query or jq is read: its entries alone, or its records as strings', () => {
    const lookup = JSON.parse(fixture('lookup-events-s3-denied.json')) as {
      Events: { CloudTrailEvent: string }[];
    };
    const eventIds = (text: string) => {
      const { records, errors } = extractRecords(text, 'q.json');
      assert.deepEqual(errors, []);
      return records.map((r) => r.record.eventID);
    };
    const expected = ['9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'];
    // --query 'Events[]'
    assert.deepEqual(eventIds(JSON.stringify(lookup.Events)), expected);
    // --query 'Events[*].CloudTrailEvent'
    assert.deepEqual(eventIds(JSON.stringify(lookup.Events.map((e) => e.CloudTrailEvent))), expected);
    // jq -c '.Events[]'
    assert.deepEqual(eventIds(lookup.Events.map((e) => JSON.stringify(e)).join('\n')), expected);
    // A string in a list that is not JSON is an error of its own.
    const bad = extractRecords(JSON.stringify(['{"eventName": ']), 'q.json');
    assert.equal(bad.records.length, 0);
    assert.equal(bad.errors.length, 1);
  });

  test('a document with both Records and Events has both read, none dropped', () => {
    const lookup = JSON.parse(fixture('lookup-events-s3-denied.json')) as { Events: unknown[] };
    const text = JSON.stringify({ Records: [bareRecord], Events: lookup.Events });
    const { records, errors } = extractRecords(text, 'merged.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record.eventName]),
      [
        ['$.Records[0]', 'HeadObject'],
        ['$.Events[0].CloudTrailEvent', 'CreateBucket'],
        ['$.Events[1].CloudTrailEvent', 'ListBuckets'],
      ],
    );
  });

  test('Records or Events that is not an array is an error naming it, and the other array is still read', () => {
    const lookup = JSON.parse(fixture('lookup-events-s3-denied.json')) as { Events: unknown[] };
    const mixed = extractRecords(JSON.stringify({ Records: 'oops', Events: lookup.Events }), 'mixed.json');
    assert.deepEqual(
      mixed.records.map((r) => r.position),
      ['$.Events[0].CloudTrailEvent', '$.Events[1].CloudTrailEvent'],
    );
    assert.deepEqual(
      mixed.errors.map((e) => [e.position, e.message]),
      [
        [
          '$.Records',
          'mixed.json at $.Records: Records must be an array of CloudTrail records (a trail file), found a string.',
        ],
      ],
    );
    const alone = extractRecords(JSON.stringify({ Records: bareRecord }), 'alone.json');
    assert.deepEqual(alone.records, []);
    assert.match(
      alone.errors[0]?.message ?? '',
      /^alone\.json at \$\.Records: Records must be an array of CloudTrail records \(a trail file\), found an object with keys "eventVersion"/,
    );
  });

  test('JSON lines mixing envelopes yield every record with its line number, skipping blank lines', () => {
    const { records, errors } = extractRecords(fixture('mixed-envelopes.jsonl'), 'mixed.jsonl');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record.eventName]),
      [
        ['line 1: $', 'GetObject'],
        ['line 2: $.detail', 'DeleteObject'],
        ['line 4: $.Records[0]', 'GetBucketAcl'],
      ],
    );
  });

  test('JSON lines whose first line is cut short (ending in an open brace) still yield the other lines', () => {
    const line = JSON.stringify(bareRecord);
    const cut = `${line.slice(0, line.indexOf('"userIdentity":') + '"userIdentity": {'.length - 1)}`;
    assert.ok(cut.endsWith('{'), cut);
    const { records, errors } = extractRecords([cut, line, line].join('\n'), 'cut.jsonl');
    assert.deepEqual(
      records.map((r) => r.position),
      ['line 2: $', 'line 3: $'],
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /line 1/);
  });

  test('a JSON array of different envelopes yields all their records', () => {
    const eventBridge = JSON.parse(fixture('eventbridge-rclone-putobject-denied.json')) as unknown;
    const lookup = JSON.parse(fixture('lookup-events-s3-denied.json')) as unknown;
    const { records, errors } = extractRecords(
      JSON.stringify([bareRecord, eventBridge, lookup]),
      'array.json',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => r.position),
      ['$[0]', '$[1].detail', '$[2].Events[0].CloudTrailEvent', '$[2].Events[1].CloudTrailEvent'],
    );
  });

  test('an SQS batch from the EventBridge rule yields the record inside each message body', () => {
    const { records, errors } = extractRecords(fixture('sqs-eventbridge-batch.json'), 'sqs.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => [r.position, r.record.eventName]),
      [['$.Records[0].body.detail', 'DeleteObject']],
    );
  });

  test("an SNS message as a Lambda function gets it yields the EventBridge event's record in Sns.Message", () => {
    const event = { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.s3', detail: bareRecord };
    const text = JSON.stringify({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          Sns: { Type: 'Notification', MessageId: 'm-1', Message: JSON.stringify(event) },
        },
        { EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: '{"detail-type": ' } },
      ],
    });
    const { records, errors } = extractRecords(text, 'sns.json');
    assert.deepEqual(
      records.map((r) => r.position),
      ['$.Records[0].Sns.Message.detail'],
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'cloudtrail.invalidJson');
    assert.equal(errors[0]?.position, '$.Records[1].Sns.Message');
  });

  test('an SQS message without a body, or an SNS record without a Message, is named as such, not taken for a record without an eventID', () => {
    const text = JSON.stringify({
      Records: [
        { eventSource: 'aws:sqs', messageId: 'm-1' },
        { eventSource: 'aws:sqs', body: { detail: {} } },
        { EventSource: 'aws:sns', Sns: { Type: 'Notification', MessageId: 'n-1' } },
        { EventSource: 'aws:sns', Sns: { Message: null } },
        { EventSource: 'aws:sns' },
      ],
    });
    const { records, errors } = extractRecords(text, 'lambda.json');
    assert.deepEqual(records, []);
    assert.deepEqual(
      errors.map((e) => [e.position, e.code, e.message.slice(e.message.indexOf(': ') + 2)]),
      [
        [
          '$.Records[0]',
          'cloudtrail.lambdaMessageWithoutBody',
          'SQS message (eventSource aws:sqs, messageId m-1) has no body string, which holds the event it carries: body is missing.',
        ],
        [
          '$.Records[1]',
          'cloudtrail.lambdaMessageWithoutBody',
          'SQS message (eventSource aws:sqs) has no body string, which holds the event it carries: body is an object with keys "detail".',
        ],
        [
          '$.Records[2]',
          'cloudtrail.lambdaMessageWithoutBody',
          'SNS record (EventSource aws:sns, MessageId n-1) has no Sns.Message string, which holds the event it carries: Sns.Message is missing.',
        ],
        [
          '$.Records[3]',
          'cloudtrail.lambdaMessageWithoutBody',
          'SNS record (EventSource aws:sns) has no Sns.Message string, which holds the event it carries: Sns.Message is null.',
        ],
        [
          '$.Records[4]',
          'cloudtrail.lambdaMessageWithoutBody',
          'SNS record (EventSource aws:sns) has no Sns.Message string, which holds the event it carries: Sns is missing.',
        ],
      ],
    );
    // A trail file's fast split (records starting with eventVersion) leaves such entries to the full
    // reading, which names them.
    const split = JSON.stringify({
      Records: [
        { eventVersion: '1.10', eventSource: 'aws:sqs' },
        { eventVersion: '1.10', EventSource: 'aws:sns', Sns: {} },
      ],
    });
    for (const index of [0, 1]) {
      const one = JSON.stringify({ Records: [JSON.parse(split).Records[index]] });
      const pieces = trailFileRecords(one, 'lambda.json');
      assert.ok(pieces !== undefined);
      assert.throws(() => [...pieces], TrailFileSplitError);
    }
    const cut = trailFileRecords(split, 'lambda.json');
    assert.ok(cut !== undefined);
    assert.throws(() => [...cut], TrailFileSplitError);
  });

  test('an S3 Event Notification is named as such, not taken for a broken CloudTrail record', () => {
    const text = JSON.stringify({
      Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: {} }],
    });
    const { records, errors } = extractRecords(text, 'notification.json');
    assert.deepEqual(records, []);
    assert.equal(errors[0]?.code, 'cloudtrail.s3Notification');
    assert.match(
      errors[0]?.message ?? '',
      /an S3 Event Notification \(ObjectCreated:Put\), not a CloudTrail record/,
    );
    const cut = trailFileRecords(text, 'notification.json');
    assert.ok(cut !== undefined);
    assert.throws(() => [...cut], TrailFileSplitError);
  });

  test("a record as a JSON string on its own, or one per line (jq's output without -r), is read", () => {
    const one = JSON.stringify(JSON.stringify(bareRecord));
    assert.deepEqual(
      extractRecords(one, 'one.json').records.map((r) => r.position),
      ['$'],
    );
    const lines = `${one}\n${JSON.stringify(JSON.stringify({ ...bareRecord, eventID: 'second' }))}\n`;
    const { records, errors } = extractRecords(lines, 'lines.jsonl');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => r.record.eventID),
      [bareRecord.eventID, 'second'],
    );
  });

  test('a byte order mark at the start of a later JSON line (files joined with cat) is ignored too', () => {
    const text = `${JSON.stringify(bareRecord)}\n\uFEFF${JSON.stringify({ ...bareRecord, eventID: 'second' })}\n`;
    const { records, errors } = extractRecords(text, 'joined.jsonl');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      records.map((r) => r.record.eventID),
      [bareRecord.eventID, 'second'],
    );
  });

  test('a UTF-8 byte order mark before the JSON is ignored', () => {
    const { records, errors } = extractRecords(`\uFEFF${JSON.stringify(bareRecord)}`, 'bom.json');
    assert.deepEqual(errors, []);
    assert.equal(records.length, 1);
  });
});

describe('extractRecords on bad input', () => {
  test('malformed pretty-printed JSON gives one error with line and column', () => {
    const text = '{\n  "Records": [\n    {"eventName": "GetObject",}\n  ]\n}';
    const { records, errors } = extractRecords(text, 'broken.json');
    assert.deepEqual(records, []);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'cloudtrail.invalidJson');
    assert.equal(errors[0]?.position, 'line 3, column 31');
    assert.match(errors[0]?.message ?? '', /broken\.json: invalid JSON at line 3, column 31/);
  });

  test('one bad JSON line is reported with its line and column and does not hide the others', () => {
    const good = JSON.stringify(bareRecord);
    const text = [good, '{"eventName": "PutObject", "eventID": }', good].join('\n');
    const { records, errors } = extractRecords(text, 'lines.jsonl');
    assert.deepEqual(
      records.map((r) => r.position),
      ['line 1: $', 'line 3: $'],
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.position, 'line 2');
    assert.match(errors[0]?.message ?? '', /line 2, column 39/);
  });

  test('a trail file written a record per line, with a comma missing, is one document with one error where it is', () => {
    const line = JSON.stringify(bareRecord);
    const text = ['{"Records": [', `${line},`, `${line}`, `${line},`, line, ']}'].join('\n');
    const { records, errors } = extractRecords(text, 'perline.json');
    assert.deepEqual(records, []);
    assert.deepEqual(
      errors.map((e) => [e.code, e.position]),
      [['cloudtrail.invalidJson', 'line 4, column 1']],
    );
    assert.match(errors[0]?.message ?? '', /expected ',' or '\]' after an array element/);
  });

  test('pretty-printed records one after another (jq output) are invalid JSON, with the jq -c hint', () => {
    const pretty = JSON.stringify(bareRecord, null, 2);
    const { records, errors } = extractRecords(`${pretty}\n${pretty}\n`, 'jq.json');
    assert.deepEqual(records, []);
    assert.match(
      errors[0]?.message ?? '',
      /unexpected character "\{" after the end of the JSON value\. It looks like several JSON documents one after another: give JSON lines instead, one document per line \(jq -c '\.Records\[\]' for trail files, jq -c '\.Events\[\]' for lookup-events pages\)/,
    );
  });

  test('an unknown envelope is reported with the keys that were found', () => {
    const { records, errors } = extractRecords('{"Items": [], "Count": 0}', 'dynamo.json');
    assert.deepEqual(records, []);
    assert.equal(errors[0]?.code, 'cloudtrail.unknownEnvelope');
    assert.equal(errors[0]?.position, '$');
    assert.match(errors[0]?.message ?? '', /keys "Items", "Count"/);
  });

  test('a CloudTrail digest file is named as one, not as an unknown envelope', () => {
    const digest = {
      awsAccountId: '111122223333',
      digestStartTime: '2026-11-27T00:00:00Z',
      digestEndTime: '2026-11-27T01:00:00Z',
      digestS3Bucket: 'trail-bucket',
      newestEventTime: '2026-11-27T00:59:00Z',
      logFiles: [{ s3Bucket: 'trail-bucket', s3Object: 'AWSLogs/x.json.gz', hashValue: '00' }],
    };
    const { records, errors } = extractRecords(JSON.stringify(digest), 'digest.json');
    assert.deepEqual(records, []);
    assert.deepEqual(
      errors.map((e) => [e.position, e.code]),
      [['$', 'cloudtrail.digestFile']],
    );
    assert.match(
      errors[0]?.message ?? '',
      /^digest\.json at \$: a CloudTrail digest file .* holds no events/,
    );
    // The same keys without a list of log files are still an unknown envelope.
    const { errors: other } = extractRecords(JSON.stringify({ ...digest, logFiles: 'none' }), 'x.json');
    assert.equal(other[0]?.code, 'cloudtrail.unknownEnvelope');
  });

  test('a scalar where a record is expected is an unknown envelope naming its type', () => {
    const { errors } = extractRecords('[42, "x"]', 'scalars.json');
    assert.deepEqual(
      errors.map((e) => [e.position, e.code]),
      [
        ['$[0]', 'cloudtrail.unknownEnvelope'],
        ['$[1]', 'cloudtrail.unknownEnvelope'],
      ],
    );
    assert.match(errors[0]?.message ?? '', /found a number/);
  });

  test('an EventBridge event that is not a CloudTrail API call is skipped, naming its detail-type; no error', () => {
    const event = {
      version: '0',
      id: 'eb-1',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: 'acme-backups' }, object: { key: 'a.txt' } },
    };
    const { records, errors, skipped } = extractRecords(JSON.stringify(event), 'eb.json');
    assert.deepEqual(records, []);
    assert.deepEqual(errors, []);
    assert.equal(skipped[0]?.eventId, 'eb-1');
    assert.match(skipped[0]?.message ?? '', /"Object Created" from aws\.s3/);
    // Without an ID, where it is in the input stands for it.
    const { skipped: unnamed } = extractRecords(JSON.stringify([{ ...event, id: undefined }]), 'eb.json');
    assert.equal(unnamed[0]?.eventId, 'eb.json at $[0]');
  });

  test('a bad lookup-events entry is reported and the good ones are kept', () => {
    const good = { EventId: 'a', CloudTrailEvent: JSON.stringify(bareRecord) };
    const text = JSON.stringify({
      Events: [good, { EventId: 'b', CloudTrailEvent: '{"eventName": ' }, { EventId: 'c' }, 'junk'],
    });
    const { records, errors } = extractRecords(text, 'lookup.json');
    assert.deepEqual(
      records.map((r) => r.position),
      ['$.Events[0].CloudTrailEvent'],
    );
    assert.deepEqual(
      errors.map((e) => [e.position, e.code]),
      [
        ['$.Events[1].CloudTrailEvent', 'cloudtrail.invalidJson'],
        ['$.Events[2]', 'cloudtrail.lookupEventWithoutRecord'],
        ['$.Events[3]', 'cloudtrail.notAnObject'],
      ],
    );
    assert.match(errors[1]?.message ?? '', /EventId c/);
  });

  test('a trail file entry that is not an object is reported and the others are kept', () => {
    const { records, errors } = extractRecords(JSON.stringify({ Records: [bareRecord, null] }), 'trail.json');
    assert.equal(records.length, 1);
    assert.deepEqual(
      errors.map((e) => [e.position, e.code]),
      [['$.Records[1]', 'cloudtrail.notAnObject']],
    );
  });

  test('empty input is reported as empty, white space alone as white space (with its length)', () => {
    const blank = extractRecords(' \n\n ', 'blank.json');
    assert.deepEqual(blank.records, []);
    assert.deepEqual(
      blank.errors.map((e) => [e.code, e.message]),
      [
        [
          'cloudtrail.emptyInput',
          'blank.json holds only white space (4 characters): expected CloudTrail JSON.',
        ],
      ],
    );
    assert.equal(
      extractRecords(' ', 'one.json').errors[0]?.message,
      'one.json holds only white space (1 character): expected CloudTrail JSON.',
    );
    assert.deepEqual(
      extractRecords('', 'empty.json').errors.map((e) => [e.code, e.message]),
      [['cloudtrail.emptyInput', 'empty.json is empty: expected CloudTrail JSON.']],
    );
  });
});

describe('extractRecords properties', () => {
  const recordArb = fc.record({
    eventID: fc.uuid(),
    eventName: fc.constantFrom('GetObject', 'PutObject', 'ListObjects', 'HeadBucket'),
    eventSource: fc.constant('s3.amazonaws.com'),
    note: fc.string(),
  });

  test('the same records come out of a trail file, JSON lines, an array and EventBridge events', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 6 }), (records) => {
        const asTrail = extractRecords(JSON.stringify({ Records: records }), 'x').records.map(
          (r) => r.record,
        );
        const asLines = extractRecords(records.map((r) => JSON.stringify(r)).join('\n'), 'x').records.map(
          (r) => r.record,
        );
        const asArray = extractRecords(JSON.stringify(records), 'x').records.map((r) => r.record);
        const asEvents = extractRecords(
          JSON.stringify(records.map((detail) => ({ 'detail-type': 'AWS API Call via CloudTrail', detail }))),
          'x',
        ).records.map((r) => r.record);
        // fast-check builds null-prototype objects; parsed JSON has ordinary ones.
        const expected = JSON.parse(JSON.stringify(records)) as unknown;
        assert.deepEqual(asTrail, expected);
        assert.deepEqual(asLines, expected);
        assert.deepEqual(asArray, expected);
        assert.deepEqual(asEvents, expected);
      }),
    );
  });

  test('any text gives records or problems, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const { records, errors } = extractRecords(text, 'fuzz');
          assert.ok(Array.isArray(records) && Array.isArray(errors));
          for (const error of errors) assert.match(error.code, /^cloudtrail\.[a-zA-Z]+$/);
        },
      ),
    );
  });
});

describe('trailFileRecords (a minified trail file, one record at a time)', () => {
  const rec = (i: number, extra: Record<string, unknown> = {}) => ({
    eventVersion: '1.10',
    eventID: `id-${i}`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    ...extra,
  });
  const positions = (records: Iterable<{ position: string; record: unknown }>) =>
    [...records].map((r) => [r.position, r.record]);

  test('gives the records, with their positions, that parsing the whole file gives', () => {
    // String values may hold the separator text itself: inside a JSON string its quotes are escaped.
    const records = [rec(0), rec(1, { requestParameters: { key: '},{"eventVersion":"x"}' } }), rec(2)];
    const text = JSON.stringify({ Records: records });
    const cut = trailFileRecords(text, 'f.json');
    assert.ok(cut !== undefined);
    assert.deepEqual(positions(cut), positions(extractRecords(text, 'f.json').records));
  });

  test('is undefined for texts in another form, which are then parsed whole', () => {
    const records = [rec(0), rec(1)];
    for (const text of [
      JSON.stringify({ Records: records }, null, 2),
      JSON.stringify({ Records: [] }),
      JSON.stringify({ Records: records, extra: 1 }),
      JSON.stringify(records[0]),
      JSON.stringify({ detail: records[0], 'detail-type': 'AWS API Call via CloudTrail' }),
    ]) {
      assert.equal(trailFileRecords(text, 'f.json'), undefined, text.slice(0, 40));
    }
    assert.ok(trailFileRecords(`\uFEFF${JSON.stringify({ Records: records })}\n`, 'f.json') !== undefined);
  });

  test('a nested object that starts with eventVersion makes the cut fail loudly, never misread', () => {
    const text = JSON.stringify({ Records: [rec(0, { nested: [{ a: 1 }, { eventVersion: 'n' }] }), rec(1)] });
    const cut = trailFileRecords(text, 'f.json');
    assert.ok(cut !== undefined);
    assert.throws(() => [...cut], TrailFileSplitError);
  });

  test('an SQS message in Records is left to the whole-file reader', () => {
    const text = JSON.stringify({ Records: [{ eventVersion: '1', eventSource: 'aws:sqs', body: '{}' }] });
    const cut = trailFileRecords(text, 'f.json');
    assert.ok(cut !== undefined);
    assert.throws(() => [...cut], TrailFileSplitError);
  });

  test('for generated trails, cut records equal whole-file records, or the cut fails', () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('},{"eventVersion":', '"},{', '\\', '{"eventVersion":1}'),
      fc.integer(),
    );
    const extra = fc.dictionary(
      fc.constantFrom('a', 'b', 'eventVersion', 'key'),
      fc.oneof(value, fc.array(fc.dictionary(fc.constantFrom('eventVersion', 'x'), value), { maxLength: 2 })),
      { maxKeys: 3 },
    );
    let cutOk = 0;
    fc.assert(
      fc.property(fc.array(extra, { minLength: 1, maxLength: 4 }), (extras) => {
        const text = JSON.stringify({
          Records: extras.map((e, i) => ({ ...rec(i), ...e, eventVersion: '1.10' })),
        });
        const cut = trailFileRecords(text, 'f.json');
        assert.ok(cut !== undefined);
        let got: unknown[];
        try {
          got = positions(cut);
        } catch (error) {
          assert.ok(error instanceof TrailFileSplitError);
          return;
        }
        cutOk++;
        assert.deepEqual(got, positions(extractRecords(text, 'f.json').records));
      }),
      { numRuns: 500 },
    );
    assert.ok(cutOk > 100, `only ${cutOk} generated trails were cut`);
  });
});

describe('EventBridge detail types CloudTrail sends', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
  for (const detailType of ['AWS Console Signin via CloudTrail', 'AWS Console Action via CloudTrail']) {
    test(`"${detailType}" carries a CloudTrail record`, () => {
      const event = { 'detail-type': detailType, source: 'aws.signin', detail: bareRecord };
      const { records, skipped, errors } = extractRecords(JSON.stringify(event), 'eb.json');
      assert.deepEqual({ records: records.length, skipped, errors }, { records: 1, skipped: [], errors: [] });
    });
  }
});
