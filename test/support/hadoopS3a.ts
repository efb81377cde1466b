/**
 * The Hadoop versions whose S3A connector the end-to-end tests run, and where `npm run test:deps` puts
 * each one's jars (test/support/hadoop-s3a/pom.xml, one directory per version).
 */
import { installedTool } from './testTools.js';

/** 3.3 signs with the AWS SDK for Java v1, 3.4 with v2: S3A was moved to v2 in Hadoop 3.4.0. */
export const HADOOP_S3A_VERSIONS = ['3.3.6', '3.4.1'] as const;

export type HadoopS3aVersion = (typeof HADOOP_S3A_VERSIONS)[number];

/**
 * The directory of the jars of Hadoop `version`'s S3A connector and shaded client:
 * `PA_TEST_HADOOP_S3A_3_4_1` (say) when set, else the test-tools cache.
 */
export function hadoopS3aJars(version: HadoopS3aVersion): string {
  return installedTool(
    `Hadoop ${version}'s S3A jars`,
    `PA_TEST_HADOOP_S3A_${version.replaceAll('.', '_')}`,
    `hadoop-s3a-${version}`,
    `hadoop-aws-${version}.jar`,
  );
}
