/**
 * The storage contract a Delta table is written through. Keys are `/`-separated paths relative to
 * the store's root (a table directory, a bucket prefix). The one operation the Delta protocol needs
 * beyond plain blob storage is `putIfAbsent`: two writers racing for `_delta_log/<version>.json`
 * must not both succeed.
 *
 * @example
 *   const store = new LocalObjectStore('./data/lake/bronze/transactions');
 *   const won = await store.putIfAbsent('_delta_log/00000000000000000000.json', commitBytes);
 */
export interface ObjectInfo {
  /** key relative to the store root */
  key: string;
  size: number;
  /** ms since the epoch */
  lastModified: number;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** A printable location of the root (a directory or `s3://bucket/prefix`). */
  readonly root: string;
  /** Throws FS_NOT_FOUND when the key does not exist. */
  get(key: string): Promise<Buffer>;
  /** Overwrites. Used for data files (unique names) and `_last_checkpoint` (a hint, last writer wins). */
  put(key: string, body: Buffer | string): Promise<void>;
  /** Atomically creates `key`; resolves false (writes nothing) when it already exists. */
  putIfAbsent(key: string, body: Buffer | string): Promise<boolean>;
  /** Uploads a local file (DuckDB writes Parquet to local disk first). */
  putFile(key: string, localFile: string): Promise<void>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  stat(key: string): Promise<ObjectInfo | null>;
  /** A path DuckDB can read directly, or null when the object is remote. */
  localPath(key: string): string | null;
  /** A store rooted at `root/prefix`. */
  scoped(prefix: string): ObjectStore;
}
