import { createReadStream } from 'node:fs';
import { stat as fsStat } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { FraudstreamError } from '../../errors.ts';
import type { ObjectInfo, ObjectStore } from './types.ts';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** key prefix of the store root, without leading or trailing '/' */
  prefix?: string;
  /** an existing client, or the config to build one (endpoint, region, credentials, forcePathStyle) */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

/**
 * Object store on S3 or an S3-compatible server. `putIfAbsent` is a conditional PUT with
 * `If-None-Match: *`: the server answers 412 when the key exists (409 while a competing
 * conditional write is in flight), so Delta commits need no external lock service — on servers
 * that honour the header (AWS S3 since 2024-08; see docs/lakehouse.md for the local servers tested).
 *
 * @example
 *   const store = new S3ObjectStore({ bucket: 'lake', prefix: 'bronze/transactions',
 *     clientConfig: { endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true } });
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly root: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    // S3-compatible servers (S3Proxy, S3Mock) reject the SDK's default flexible-checksum headers
    // with 501, so checksums are only sent where the API requires them.
    this.client =
      options.client ??
      new S3Client({
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...options.clientConfig,
      });
    this.root = `s3://${this.bucket}/${this.prefix}`;
  }

  private key(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new FraudstreamError('FS_NOT_FOUND', `object "${key}" does not exist in ${this.root}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body }));
  }

  async putIfAbsent(key: string, body: Buffer | string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body, IfNoneMatch: '*' }),
      );
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || status === 409) return false;
      throw err;
    }
  }

  async putFile(key: string, localFile: string): Promise<void> {
    const { size } = await fsStat(localFile);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        Body: createReadStream(localFile),
        ContentLength: size,
      }),
    );
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(prefix), ContinuationToken: token }),
      );
      for (const obj of page.Contents ?? []) {
        // "folder" marker objects (key ending in '/') are not table content
        if (obj.Key!.endsWith('/')) continue;
        out.push({
          key: obj.Key!.slice(strip),
          size: obj.Size ?? 0,
          lastModified: obj.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  localPath(): null {
    return null;
  }

  scoped(prefix: string): ObjectStore {
    return new S3ObjectStore({
      bucket: this.bucket,
      prefix: this.key(prefix.replace(/^\/+|\/+$/g, '')),
      client: this.client,
    });
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
