/**
 * The export's S3-compatible target from the config (`analytics.export.s3`) or the command line:
 * the credentials from the environment variables it names, the client (src/export/s3.ts) and the
 * Parquet sink that uploads to it (src/store/analytics/parquet-sink.ts openS3ParquetSink).
 */
import type { S3TargetConfig } from '../config/analytics.js';
import { IdocgateError } from '../errors.js';
import { openS3ParquetSink, type ParquetSink } from '../store/analytics/parquet-sink.js';
import { createS3Client, type S3Credentials } from './s3.js';

/** The value of an environment variable the config names (undefined: not set). */
export type SecretLookup = (name: string) => string | undefined;

export function s3Credentials(target: S3TargetConfig, secret: SecretLookup): S3Credentials {
  const read = (name: string): string => {
    const v = secret(name);
    if (v === undefined || v === '')
      throw new IdocgateError('CONFIG_INVALID', `the S3 target needs environment variable ${name}`);
    return v;
  };
  const token = target.sessionTokenEnv !== undefined ? read(target.sessionTokenEnv) : undefined;
  return {
    accessKeyId: read(target.accessKeyIdEnv),
    secretAccessKey: read(target.secretAccessKeyEnv),
    ...(token !== undefined ? { sessionToken: token } : {}),
  };
}

export async function openS3Target(target: S3TargetConfig, secret: SecretLookup): Promise<ParquetSink> {
  const client = createS3Client(
    { endpoint: target.endpoint, bucket: target.bucket, region: target.region },
    s3Credentials(target, secret),
  );
  return openS3ParquetSink(client, { prefix: target.prefix });
}
