import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isTerraformBackendAgent,
  terraformBackendProfile,
} from '../../../src/domain/tools/terraformBackend.js';

const BACKEND_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) aws-sdk-go-v2/1.36.0 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/s3#1.75.2 m/C';

describe('isTerraformBackendAgent', () => {
  test("Terraform's own calls are the backend's; the AWS provider's are not", () => {
    assert.equal(isTerraformBackendAgent(BACKEND_UA), true);
    assert.equal(
      isTerraformBackendAgent(
        'APN/1.0 HashiCorp/1.0 Terraform/1.13.4 (+https://www.terraform.io) terraform-provider-aws/6.21.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.39.6',
      ),
      false,
    );
    assert.equal(isTerraformBackendAgent('aws-cli/2.22.4 md/command#s3.cp'), false);
    assert.equal(isTerraformBackendAgent(undefined), false);
  });

  test("OpenTofu's S3 backend is the same backend", () => {
    assert.equal(
      isTerraformBackendAgent(
        'APN/1.0 OpenTofu-S3-Backend/1.0 OpenTofu/1.9.0 aws-sdk-go-v2/1.32.6 ua/2.1 os/linux',
      ),
      true,
    );
  });
});

describe('terraformBackendProfile: a terraform_remote_state read', () => {
  test("another state only read while the job locks its own: read-only, and the job's own state and lock in full", () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['network/terraform.tfstate'],
      readOnlyKeys: new Set(['network/terraform.tfstate']),
      lockFiles: new Set(['app/terraform.tfstate.tflock']),
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['TerraformStateList', ['s3:ListBucket'], ['arn:aws:s3:::tf-state']],
        ['TerraformRemoteState', ['s3:GetObject'], ['arn:aws:s3:::tf-state/network/terraform.tfstate']],
        ['TerraformState', ['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::tf-state/app/terraform.tfstate']],
        [
          'TerraformStateLock',
          ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::tf-state/app/terraform.tfstate.tflock'],
        ],
      ],
    );
    assert.ok(
      profile.notes.some((n) =>
        n.startsWith('network/terraform.tfstate was only read, while the job locked app/terraform.tfstate'),
      ),
    );
  });

  test('without a lock file, the state the backend read with success is its own, and another only read is remote', () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['network/terraform.tfstate'],
      readOnlyKeys: new Set(['network/terraform.tfstate']),
      statesRead: new Set(['app/terraform.tfstate']),
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['TerraformStateList', ['s3:ListBucket'], ['arn:aws:s3:::tf-state']],
        ['TerraformRemoteState', ['s3:GetObject'], ['arn:aws:s3:::tf-state/network/terraform.tfstate']],
        ['TerraformState', ['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::tf-state/app/terraform.tfstate']],
      ],
    );
    assert.ok(
      profile.notes.some(
        (n) =>
          n.startsWith(
            'network/terraform.tfstate was only read, while the backend read app/terraform.tfstate with success',
          ) && n.endsWith('it needs s3:PutObject too.'),
      ),
      profile.notes.join(' | '),
    );
  });

  test('several states read with success and no lock file: which is the own one is not known, and none is written', () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['dns/terraform.tfstate'],
      readOnlyKeys: new Set(['dns/terraform.tfstate']),
      statesRead: new Set(['app/terraform.tfstate', 'network/terraform.tfstate']),
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['TerraformStateList', ['s3:ListBucket'], ['arn:aws:s3:::tf-state']],
        [
          'TerraformRemoteState',
          ['s3:GetObject'],
          [
            'arn:aws:s3:::tf-state/dns/terraform.tfstate',
            'arn:aws:s3:::tf-state/app/terraform.tfstate',
            'arn:aws:s3:::tf-state/network/terraform.tfstate',
          ],
        ],
      ],
    );
    assert.ok(profile.notes.some((n) => n.includes('the profile reads them all and writes none')));
  });

  test("another workspace's state only read: read-only on the key as read", () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['env:/prod/network/terraform.tfstate'],
      readOnlyKeys: new Set(['env:/prod/network/terraform.tfstate']),
      lockFiles: new Set(['app/terraform.tfstate.tflock']),
    });
    const remote = profile.statements.find((s) => s.Sid === 'TerraformRemoteState');
    assert.deepEqual(remote?.Resource, ['arn:aws:s3:::tf-state/env:/prod/network/terraform.tfstate']);
    assert.ok(
      !profile.statements.some(
        (s) => s.Sid === 'TerraformState' && s.Resource.some((r) => r.includes('network')),
      ),
    );
  });

  test("without a lock seen, a state only read is still taken as the job's own (a plan without use_lockfile)", () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['network/terraform.tfstate'],
      readOnlyKeys: new Set(['network/terraform.tfstate']),
    });
    assert.deepEqual(
      profile.statements.map((s) => s.Sid),
      ['TerraformStateList', 'TerraformState'],
    );
  });
});

describe('terraformBackendProfile', () => {
  test('the state key and its lock file: the listing, the state, and the lock file with its delete', () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      keys: ['envs/prod/network.tfstate.tflock', 'envs/prod/network.tfstate'],
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['TerraformStateList', ['s3:ListBucket'], ['arn:aws:s3:::tf-state']],
        [
          'TerraformState',
          ['s3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::tf-state/envs/prod/network.tfstate'],
        ],
        [
          'TerraformStateLock',
          ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::tf-state/envs/prod/network.tfstate.tflock'],
        ],
      ],
    );
    assert.ok(
      profile.notes.some((n) => n.includes('if the configuration uses them, grant the same on env:/*/<key>')),
    );
  });

  test("a workspace's state adds the same under env:/*, in the bucket's partition", () => {
    const profile = terraformBackendProfile({
      bucket: 'tf-state',
      partition: 'aws-us-gov',
      keys: ['env:/staging/app.tfstate'],
    });
    assert.deepEqual(
      profile.statements.map((s) => s.Resource),
      [
        ['arn:aws-us-gov:s3:::tf-state'],
        ['arn:aws-us-gov:s3:::tf-state/app.tfstate', 'arn:aws-us-gov:s3:::tf-state/env:/*/app.tfstate'],
      ],
    );
    // No lock file was seen: a note says what use_lockfile adds.
    assert.ok(profile.notes.some((n) => n.startsWith('With use_lockfile = true')));
  });

  test('only the workspace listing was refused: the listing, and a note on what the state key needs', () => {
    const profile = terraformBackendProfile({ bucket: 'tf-state', keys: [] });
    assert.deepEqual(
      profile.statements.map((s) => s.Sid),
      ['TerraformStateList'],
    );
    assert.ok(profile.notes.some((n) => n.startsWith('The refused requests name no state key')));
  });

  test('wildcard characters in a key are written literally', () => {
    const profile = terraformBackendProfile({ bucket: 'b', keys: ['stacks/*/state'] });
    assert.deepEqual(profile.statements[1]?.Resource, ['arn:aws:s3:::b/stacks/${*}/state']);
  });
});

describe("terraformBackendProfile: OpenTofu's backend", () => {
  test('is named as itself, with its own docs, and its DynamoDB locking is not called deprecated', () => {
    const tofu = terraformBackendProfile({
      bucket: 'state',
      keys: ['app/terraform.tfstate'],
      openTofu: true,
    });
    assert.ok(
      tofu.notes.some(
        (n) => n.startsWith("OpenTofu's S3 backend lists the bucket") && n.includes('https://opentofu.org/'),
      ),
    );
    assert.ok(
      tofu.notes.some((n) => n.startsWith('A backend that locks with DynamoDB (dynamodb_table) needs')),
    );
    const terraform = terraformBackendProfile({ bucket: 'state', keys: ['app/terraform.tfstate'] });
    assert.ok(
      terraform.notes.some((n) =>
        n.startsWith('A backend that locks with DynamoDB (dynamodb_table, deprecated) needs'),
      ),
    );
    assert.ok(terraform.notes.some((n) => n.startsWith("Terraform's S3 backend lists the bucket")));
  });
});
