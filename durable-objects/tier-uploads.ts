/**
 * @module durable-objects/tier-uploads
 * Every R2 object a shard writes (cold chunk or frozen Parquet file) goes
 * through `uploadChunkObject`, which keeps this invariant: an object that may
 * exist in R2 is always known to SQLite, as a chunk's object
 * (`cold_chunks`), an upload (`tier_moves`) or garbage (`tier_garbage`).
 *
 * - Each attempt writes its own key (chunk id plus a random attempt id), so a
 *   cold and a frozen move of one chunk, or two attempts of one move, never
 *   share a record or an object, and deleting an earlier attempt's object can
 *   never remove a later attempt's upload.
 * - The key is recorded (`tier_moves`, keyed by object key) before the PUT
 *   and stays until the attempt ends: committed (the chunk now points at it)
 *   or abandoned (the key becomes garbage). A chunk dropped meanwhile does not
 *   erase the record, so an upload landing after garbage collection is still
 *   known, and its attempt queues it as garbage when it ends.
 * - An attempt that dies with its process leaves its record behind. Attempts
 *   run in the Durable Object instance that recorded them, so a record whose
 *   key is not in this instance's `UploadsInFlight` belongs to a dead attempt:
 *   garbage collection settles it (`settleDeadUploads`). A PUT of a dead
 *   instance that lands even later is an unreferenced object, deleted by the
 *   periodic sweep (`shard-sweep`) once older than its grace period.
 */
import { SqlError, SqlState } from '../engine/errors.ts';
import type { Meter } from './shard-storage.ts';

/** R2 tier of an object. */
export type ObjectTier = 'cold' | 'frozen';

/** Keys of the uploads running in this Durable Object instance (in memory: they die with it). */
export type UploadsInFlight = Set<string>;

/** What an upload needs from the Durable Object. */
export interface UploadDeps {
  readonly storage: DurableObjectStorage;
  readonly bucket: R2Bucket;
  readonly frozen: R2Bucket;
  readonly uploads: UploadsInFlight;
}

/** Prefix of every object of one shard in one tier (under the database's prefix, so teardown removes it). */
export function shardObjectPrefix(shardName: string, tier: ObjectTier): string {
  return `${shardName.split(':')[0]}/${tier}/${shardName}/`;
}

/**
 * A fresh key for one upload attempt of a chunk's object, under its table's id
 * (objects written before ids existed keep their name-based keys: `cold_chunks` holds every key).
 */
export function chunkObjectKey(
  shardName: string,
  tier: ObjectTier,
  tableId: number,
  chunkId: number,
): string {
  const ext = tier === 'cold' ? 'chunk' : 'parquet';
  const attempt = crypto.randomUUID().slice(0, 8);
  return `${shardObjectPrefix(shardName, tier)}${tableId}/${chunkId}-${attempt}.${ext}`;
}

/** One object to upload for a chunk. */
export interface ChunkUpload {
  readonly key: string;
  readonly tier: ObjectTier;
  readonly chunkId: number;
  readonly bytes: Uint8Array;
  readonly metadata: Record<string, string>;
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Ends an attempt that will not be committed: its object, written or not, becomes garbage. */
function abandon(m: Meter, key: string, tier: ObjectTier): void {
  m.all(`DELETE FROM tier_moves WHERE object_key = ?`, key);
  m.all(`INSERT OR IGNORE INTO tier_garbage (object_key, tier) VALUES (?, ?)`, key, tier);
}

/**
 * Records the upload, PUTs the bytes with a SHA-256 R2 checks, HEADs them to
 * verify size and checksum, then runs `commit` in one SQLite transaction with
 * the end of the record. `commit` returns false when the chunk is no longer
 * what was uploaded (dropped, or moved by another attempt): the object then
 * becomes garbage. Any failure abandons the attempt the same way, except the
 * test-only `crashAfterPut`, which leaves the record as a dead process would.
 */
export async function uploadChunkObject(
  deps: UploadDeps,
  m: Meter,
  u: ChunkUpload,
  commit: () => boolean,
  faults: { readonly crashAfterPut?: boolean } = {},
): Promise<boolean> {
  m.all(
    `INSERT INTO tier_moves (object_key, chunk_id, tier, started_at) VALUES (?, ?, ?, ?)`,
    u.key,
    u.chunkId,
    u.tier,
    Date.now(),
  );
  deps.uploads.add(u.key);
  let crashed = false;
  try {
    const bucket = u.tier === 'cold' ? deps.bucket : deps.frozen;
    const sha256 = await crypto.subtle.digest('SHA-256', u.bytes);
    await bucket.put(u.key, u.bytes, { sha256, customMetadata: u.metadata });
    const head = await bucket.head(u.key);
    const stored = head?.checksums.sha256;
    if (!head || head.size !== u.bytes.length || (stored && hex(stored) !== hex(sha256)))
      throw new SqlError(
        SqlState.internalError,
        `${u.tier} object ${u.key} failed verification after upload`,
      );
    if (faults.crashAfterPut) {
      crashed = true;
      throw new SqlError(SqlState.internalError, 'injected crash after the R2 put');
    }
    return deps.storage.transactionSync(() => {
      // Settled as dead (it cannot be while it runs, but a record is the only proof of the key).
      if (m.all(`SELECT 1 AS x FROM tier_moves WHERE object_key = ?`, u.key).length === 0) return false;
      if (commit()) {
        m.all(`DELETE FROM tier_moves WHERE object_key = ?`, u.key);
        return true;
      }
      abandon(m, u.key, u.tier);
      return false;
    });
  } catch (e) {
    if (!crashed) deps.storage.transactionSync(() => abandon(m, u.key, u.tier));
    throw e;
  } finally {
    deps.uploads.delete(u.key);
  }
}

/** Turns the records of uploads no longer running in this instance into garbage. Returns how many. */
export function settleDeadUploads(m: Meter, uploads: UploadsInFlight): number {
  let n = 0;
  for (const r of m.all<{ object_key: string; tier: ObjectTier }>(`SELECT object_key, tier FROM tier_moves`))
    if (!uploads.has(r.object_key)) {
      abandon(m, r.object_key, r.tier);
      n++;
    }
  return n;
}
