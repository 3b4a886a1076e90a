/**
 * @module durable-objects/shard-sweep
 * Reconciles a shard's R2 objects with its SQLite. Uploads are recorded
 * before their PUT (see `tier-uploads`), so an object SQLite does not know
 * can only come from a PUT that outlived its process; the sweep deletes such
 * orphans once their R2 `uploaded` time is older than `SWEEP_GRACE_MS`.
 * An object a chunk (`cold_chunks`), an upload (`tier_moves`) or the garbage
 * queue (`tier_garbage`, deleted by garbage collection) names is never
 * deleted here, whatever its age.
 *
 * Work is bounded: each call lists at most one page of keys over the tier
 * prefixes (`{databaseId}/{tier}/{shardName}/`, cold first, then frozen) and
 * the next call resumes after the last key seen. A full pass starts at most
 * once per `SWEEP_INTERVAL_MS`; the alarm is re-armed for the next one only
 * while the shard's SQLite names an object or the last pass found any. The
 * progress lives in `_meta` (`r2_sweep`).
 */
import type { Meter } from './shard-storage.ts';
import { type ObjectTier, shardObjectPrefix } from './tier-uploads.ts';

/** An unknown object younger than this is kept: R2 `uploaded` times and ours may differ by a little. */
export const SWEEP_GRACE_MS = 60 * 60_000;

/** A full pass over the shard's prefixes starts at most this often. */
export const SWEEP_INTERVAL_MS = 6 * 60 * 60_000;

/** Keys one call lists at most (one R2 list page). */
export const SWEEP_PAGE = 1000;

const TIERS: readonly ObjectTier[] = ['cold', 'frozen'];

interface SweepState {
  /** Index into TIERS of the prefix being listed. */
  tier: number;
  /** Last key listed in that prefix; absent at the start of a prefix. */
  after?: string;
  /** When the last full pass ended (ms; 0 = never). */
  doneAt: number;
  /** Objects that pass listed (a shard with none and nothing recorded need not come back). */
  seen: number;
  /** Objects the current pass has listed so far. */
  counting: number;
}

/** What one sweep call did. */
export interface SweepResult {
  /** Keys deleted. */
  readonly deleted: readonly string[];
  /** A pass is under way: call again soon. */
  readonly more: boolean;
  /** When the next pass is due (undefined: this shard has nothing in R2 to reconcile). */
  readonly nextAt: number | undefined;
}

/** The buckets and names a sweep needs. */
export interface SweepDeps {
  readonly bucket: R2Bucket;
  readonly frozen: R2Bucket;
  readonly shardName: string | undefined;
}

function readState(m: Meter): SweepState {
  const row = m.all<{ value: string }>(`SELECT value FROM _meta WHERE key = 'r2_sweep'`)[0];
  return row ? (JSON.parse(row.value) as SweepState) : { tier: 0, doneAt: 0, seen: 0, counting: 0 };
}

function writeState(m: Meter, s: SweepState): void {
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('r2_sweep', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    JSON.stringify(s),
  );
}

/** Whether the shard's SQLite names any R2 object. */
function hasRecordedObjects(m: Meter): boolean {
  return (
    m.all(
      `SELECT 1 AS x FROM cold_chunks UNION ALL SELECT 1 FROM tier_moves UNION ALL SELECT 1 FROM tier_garbage LIMIT 1`,
    ).length > 0
  );
}

/** Keys among `keys` that SQLite names (a chunk's object, an upload or queued garbage). */
function knownKeys(m: Meter, keys: readonly string[]): Set<string> {
  const known = new Set<string>();
  // DO SQLite binds at most 100 parameters per statement; numbered ones serve all three lists.
  for (let i = 0; i < keys.length; i += 90) {
    const part = keys.slice(i, i + 90);
    const ph = part.map((_, j) => `?${j + 1}`).join(', ');
    for (const r of m.all<{ k: string }>(
      `SELECT object_key AS k FROM cold_chunks WHERE object_key IN (${ph})
       UNION SELECT object_key FROM tier_moves WHERE object_key IN (${ph})
       UNION SELECT object_key FROM tier_garbage WHERE object_key IN (${ph})`,
      ...part,
    ))
      known.add(r.k);
  }
  return known;
}

/**
 * One bounded step of the sweep (see the module comment): lists at most
 * `page` keys, continuing into the next tier's prefix when one ends. `force`
 * starts a pass even when the last one is recent (tests, operators);
 * `graceMs` overrides the grace period only for tests.
 */
export async function sweepOrphans(
  deps: SweepDeps,
  m: Meter,
  nowMs: number,
  opts: { readonly force?: boolean; readonly graceMs?: number; readonly page?: number } = {},
): Promise<SweepResult> {
  const s = readState(m);
  const next = () => (s.seen > 0 || hasRecordedObjects(m) ? s.doneAt + SWEEP_INTERVAL_MS : undefined);
  const starting = s.tier === 0 && s.after === undefined;
  if (!deps.shardName) return { deleted: [], more: false, nextAt: undefined };
  if (starting && !opts.force && nowMs < s.doneAt + SWEEP_INTERVAL_MS)
    return { deleted: [], more: false, nextAt: next() };
  if (starting) s.counting = 0;
  const oldest = nowMs - (opts.graceMs ?? SWEEP_GRACE_MS);
  const deleted: string[] = [];
  let budget = opts.page ?? SWEEP_PAGE;
  while (budget > 0) {
    const tier = TIERS[s.tier];
    const bucket = tier === 'cold' ? deps.bucket : deps.frozen;
    const page = await bucket.list({
      prefix: shardObjectPrefix(deps.shardName, tier),
      startAfter: s.after,
      limit: budget,
    });
    budget -= Math.max(1, page.objects.length);
    // Read after the listing: an upload recorded while it ran is seen as known.
    const known = knownKeys(
      m,
      page.objects.map((o) => o.key),
    );
    const orphans = page.objects
      .filter((o) => !known.has(o.key) && o.uploaded.getTime() < oldest)
      .map((o) => o.key);
    if (orphans.length > 0) await bucket.delete(orphans);
    deleted.push(...orphans);
    s.counting += page.objects.length - orphans.length;
    if (page.truncated && page.objects.length > 0) s.after = page.objects[page.objects.length - 1].key;
    else if (s.tier + 1 < TIERS.length) {
      s.tier++;
      s.after = undefined;
    } else {
      Object.assign(s, { tier: 0, after: undefined, doneAt: nowMs, seen: s.counting });
      break;
    }
  }
  writeState(m, s);
  const more = s.tier !== 0 || s.after !== undefined;
  return { deleted, more, nextAt: more ? nowMs : next() };
}
