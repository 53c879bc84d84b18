import { LocalObjectStore } from './local.ts';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3.ts';
import type { ObjectStore } from './types.ts';

export type { ObjectInfo, ObjectStore } from './types.ts';
export { LocalObjectStore, S3ObjectStore, type S3ObjectStoreOptions };

/**
 * A store for a location: `s3://bucket/prefix` (client settings from `clientConfig` or the AWS_*
 * environment) or a local directory.
 *
 * @example
 *   const store = openObjectStore('./data/lake');
 */
export function openObjectStore(
  location: string,
  s3?: Omit<S3ObjectStoreOptions, 'bucket' | 'prefix'>,
): ObjectStore {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (match) return new S3ObjectStore({ ...s3, bucket: match[1], prefix: match[2] });
  return new LocalObjectStore(location);
}
