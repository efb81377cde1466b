/**
 * Terraform's S3 backend (the machine's `terraform`, 1.10 or later for `use_lockfile`; PA_TEST_TERRAFORM
 * names another) against moto with IAM enforced: a state-only policy (s3:GetObject and s3:PutObject on
 * the state key) lets `terraform init` through but `apply` is refused its lock file; explain reads the
 * CloudTrail events of its calls (written by the recording proxy) and moto's account snapshot, and the
 * job profile it proposes, applied alone, lets `init` and `apply` finish, twice.
 *
 * The configuration uses only the built-in `terraform_data` resource: no provider is downloaded, and every
 * S3 call is the backend's own (Terraform's user agent without `terraform-provider-aws`).
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  awsSdkEnvironment,
  type ClientRun,
  cleanEnvironment,
  MotoAccount,
  type MotoUser,
  onlyFinding,
} from '../support/motoAccount.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const BUCKET = 'tf-state';
const KEY = 'envs/prod/network.tfstate';
const TERRAFORM = process.env.PA_TEST_TERRAFORM ?? 'terraform';

describe('Terraform S3 backend against moto: explain, apply the profile, run again', () => {
  const dir = temporaryDirectory('pa-terraform-moto-');
  let account: MotoAccount;
  let stack: string;

  before(async () => {
    account = await MotoAccount.start(dir(), [BUCKET]);
    const version = await account.runClient(TERRAFORM, ['version'], { cwd: dir(), env: terraformEnv() });
    const found = /Terraform v(\d+)\.(\d+)/.exec(version.output);
    if (found === null || Number(found[1]) < 1 || (Number(found[1]) === 1 && Number(found[2]) < 10))
      throw new Error(
        `these tests need Terraform 1.10 or later (use_lockfile) as ${TERRAFORM}; PA_TEST_TERRAFORM names another: found ${version.output}`,
      );
    stack = join(dir(), 'stack');
    await mkdir(stack, { recursive: true });
    await writeFile(
      join(stack, 'main.tf'),
      `terraform {
  backend "s3" {
    bucket                      = "${BUCKET}"
    key                         = "${KEY}"
    region                      = "us-east-1"
    use_lockfile                = true
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    endpoints                   = { s3 = "${account.recorder.endpoint}" }
  }
}

resource "terraform_data" "release" {
  input = "2026-11-28"
}
`,
    );
  });

  after(async () => {
    await account?.stop();
  });

  /** No CLI configuration of the machine, no update check, no prompts. */
  function terraformEnv(): Record<string, string | undefined> {
    return {
      ...cleanEnvironment(),
      TF_CLI_CONFIG_FILE: join(dir(), 'terraformrc'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    };
  }

  /**
   * Runs `terraform ARGS` in the stack as `user`, through the recorder, with IAM enforced (`init` and
   * `apply` without prompts or colour; `workspace` takes its name last).
   */
  function terraform(user: MotoUser, args: readonly string[]): Promise<ClientRun> {
    const flags = args[0] === 'workspace' ? [] : ['-input=false', '-no-color'];
    return account.runClient(TERRAFORM, [`-chdir=${stack}`, ...args, ...flags], {
      cwd: dir(),
      env: { ...awsSdkEnvironment(user, dir()), ...terraformEnv() },
    });
  }

  test('a state-only policy: init passes, apply is refused the lock file, and the backend profile alone lets init and apply finish', async () => {
    await writeFile(join(dir(), 'terraformrc'), '');
    const user = await account.createUser('tf-ci', 'TerraformStateOnly', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: `arn:aws:s3:::${BUCKET}/${KEY}`,
        },
      ],
    });
    const init = await terraform(user, ['init']);
    assert.equal(init.code, 0, init.output);
    const failed = await terraform(user, ['apply', '-auto-approve']);
    assert.notEqual(failed.code, 0, 'apply must be refused before the profile');
    assert.match(failed.output, /Error acquiring the state lock/);

    const finding = onlyFinding(await account.explainRun(user, failed, 'terraform-lock-denied'));
    assert.equal(finding.client.tool, 'terraform');
    assert.deepEqual(
      [...new Set(finding.requests.map((r) => [r.eventName, r.action, r.resource].join(' ')))].sort(),
      [
        `GetObject s3:GetObject arn:aws:s3:::${BUCKET}/${KEY}.tflock`,
        `ListObjects s3:ListBucket arn:aws:s3:::${BUCKET}`,
        `PutObject s3:PutObject arn:aws:s3:::${BUCKET}/${KEY}.tflock`,
      ],
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.tool, 'terraform');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['TerraformStateList', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        ['TerraformState', ['s3:GetObject', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/${KEY}`]],
        [
          'TerraformStateLock',
          ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          [`arn:aws:s3:::${BUCKET}/${KEY}.tflock`],
        ],
      ],
    );

    await account.grantOnly(user, profile.statements);
    for (const run of [['init'], ['apply', '-auto-approve'], ['apply', '-auto-approve']]) {
      const again = await terraform(user, run);
      assert.equal(again.code, 0, `${run.join(' ')}: ${again.output}`);
    }
    // The state is written, and the lock file is gone (its delete is granted too).
    assert.deepEqual(await account.objectKeys(BUCKET, 'envs/'), [KEY]);
  });

  test("a workspace's run is refused under env:/<workspace>/: its profile covers every workspace of the key, and alone lets the workspace be created and applied", async () => {
    const user = await account.createUser('tf-ws', 'TerraformDefaultWorkspace', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: [`arn:aws:s3:::${BUCKET}/${KEY}`, `arn:aws:s3:::${BUCKET}/${KEY}.tflock`],
        },
      ],
    });
    assert.equal((await terraform(user, ['init'])).code, 0);
    const failed = await terraform(user, ['workspace', 'new', 'staging']);
    assert.notEqual(failed.code, 0, 'the workspace must be refused before the profile');

    const finding = onlyFinding(await account.explainRun(user, failed, 'terraform-workspace-denied'));
    assert.ok(
      finding.requests.every((r) => r.resource.startsWith(`arn:aws:s3:::${BUCKET}/env:/staging/`)),
      finding.requests.map((r) => r.resource).join(', '),
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.tool, 'terraform');
    const resources = profile.statements.flatMap((s) => s.Resource);
    assert.ok(resources.includes(`arn:aws:s3:::${BUCKET}/env:/*/${KEY}`), resources.join(', '));

    await account.grantOnly(user, profile.statements);
    const created = await terraform(user, ['workspace', 'select', '-or-create', 'staging']);
    assert.equal(created.code, 0, created.output);
    const applied = await terraform(user, ['apply', '-auto-approve']);
    assert.equal(applied.code, 0, applied.output);
    assert.ok((await account.objectKeys(BUCKET, 'env:/')).includes(`env:/staging/${KEY}`));
  });
});
