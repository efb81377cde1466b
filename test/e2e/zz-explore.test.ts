import { after, before, describe, test } from 'node:test';
import { MotoAccount, type MotoUser, writeSampleData } from '../support/motoAccount.js';
import { rcloneRelease, runRclone } from '../support/rclone.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const B = 'backup-bucket';
const O = 'other-bucket';
type St = { Effect: string; Action: string | string[]; Resource: string | string[] };
const pol = (...s: St[]) => ({ Version: '2012-10-17', Statement: s });
const allow = (Action: string | string[], Resource: string | string[]): St => ({
  Effect: 'Allow',
  Action,
  Resource,
});

describe('explore', () => {
  const dir = temporaryDirectory('pa-zz-');
  let account: MotoAccount;
  before(async () => {
    account = await MotoAccount.start(dir(), [B, O]);
    await writeSampleData(dir());
    await account.putObjects(B, [
      'dir/a.txt',
      'dir/sub/b.txt',
      'src/x.txt',
      'src/y/z.txt',
      'tier/t.txt',
      'cat/c.txt',
      'touch/old.txt',
    ]);
  });
  after(async () => {
    await account?.stop();
  });

  const LB = allow('s3:ListBucket', `arn:aws:s3:::${B}`);
  const cases: [string, string[], unknown][] = [
    [
      'touch-existing',
      ['touch', `moto:${B}/touch/old.txt`],
      pol(LB, allow(['s3:GetObject'], `arn:aws:s3:::${B}/touch/*`)),
    ],
    [
      'settier',
      ['settier', 'STANDARD_IA', `moto:${B}/tier/`],
      pol(LB, allow(['s3:GetObject'], `arn:aws:s3:::${B}/tier/*`)),
    ],
    [
      'hashsum',
      ['hashsum', 'MD5', `moto:${B}/dir`],
      pol(LB, allow(['s3:PutObject'], `arn:aws:s3:::${B}/dir/*`)),
    ],
    ['size', ['size', `moto:${B}/dir`], pol(allow(['s3:GetObject'], `arn:aws:s3:::${B}/dir/*`))],
    [
      'copy-update-servermodtime',
      ['copy', './data', `moto:${B}/dir/`, '--update', '--use-server-modtime'],
      pol(LB, allow(['s3:PutObject'], `arn:aws:s3:::${B}/dir/*`)),
    ],
  ];
  for (const [name, args, policy] of cases) {
    test(name, async () => {
      const user: MotoUser = await account.createUser(`u-${name}`, `P-${name}`, policy);
      const run = await runRclone(account, user, args, { binary: rcloneRelease('1.75.2'), cwd: dir() });
      const calls = account.recorder.calls
        .slice(run.from)
        .map((c) => `${c.method} ${c.url.replace(/^https?:\/\/[^/]+/, '')} ${c.status}`);
      const rep = await account.explainRun(user, run, name);
      const g = (
        st: readonly { Sid?: string; Action: readonly string[]; Resource: readonly string[] }[] | undefined,
      ) => (st ?? []).map((x) => `${x.Sid ?? ''}[${x.Action.join(',')} @ ${x.Resource.join(',')}]`).join(' ');
      const out: string[] = [
        `#### ${name}: exit ${run.code}`,
        ...calls.map((c) => `  call ${c}`),
        `  output: ${run.output
          .split('\n')
          .filter((l) => /ERROR|CRITICAL|Failed/.test(l))
          .slice(0, 2)
          .map((l) => l.slice(20, 200))
          .join(' || ')}`,
      ];
      for (const f of rep.findings) {
        out.push(
          `  finding ${f.cause}: ${f.requests.map((r) => `${r.eventName}:${r.action} ${r.resource.replace('arn:aws:s3:::', '')} ${r.decision[0]}`).join(' ; ')}`,
        );
        out.push(`   fix: ${g(f.fix?.statements as never)}`);
        out.push(`   profile ${f.jobProfile?.operation}: ${g(f.jobProfile?.statements as never)}`);
        out.push(
          `   note0: ${((f.jobProfile as { notes?: string[] } | null)?.notes ?? [])[0]?.slice(0, 200)}`,
        );
        out.push(`   alts: ${f.alternatives.map((a) => a.removes.join('+')).join(' | ')}`);
      }
      out.push(
        `  skipped: ${rep.skipped
          .filter((s) => s.reason !== 'not-denied')
          .map((s) => `${s.reason}:${s.message.slice(0, 100)}`)
          .join(' | ')}`,
      );
      const all = rep.findings.flatMap(
        (f) =>
          (f.jobProfile?.statements ?? f.fix?.statements ?? []).map(
            ({ Sid: _s, ...rest }: { Sid?: string }) => rest,
          ) as never[],
      );
      if (all.length > 0) {
        await account.grantOnly(user, all);
        const again = await runRclone(account, user, [...args, '--s3-no-check-bucket'], {
          binary: rcloneRelease('1.75.2'),
          cwd: dir(),
        });
        out.push(
          `  WITH PROFILES: exit ${again.code} ${
            again.code
              ? again.output
                  .split('\n')
                  .filter((l) => /ERROR|CRITICAL|Failed/.test(l))
                  .slice(0, 2)
                  .map((l) => l.slice(20, 200))
                  .join(' || ')
              : ''
          }`,
        );
      }
      (await import('node:fs')).appendFileSync('/tmp/s14/explore.txt', `${out.join('\n')}\n`);
    });
  }
});
