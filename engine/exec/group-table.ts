/**
 * @module engine/exec/group-table
 * Assigns dense group ids to the rows of a batch for hash aggregation. Keys are
 * first evaluated column-at-a-time into dense arrays — plain numeric columns and
 * fixed-width time buckets straight from their Float64Array, dictionary columns
 * as codes — then rows are mapped through nested Maps, with two shortcuts that
 * fit time-ordered data: a memo of the previous first key, and a per-code cache
 * for a dictionary-encoded last key (e.g. GROUP BY bucket, hostname).
 */
import type { Expr } from '../plan/nodes.ts';
import type { ExecVector } from '../storage/table-store.ts';
import { hashKeyFor } from '../types/values.ts';
import { bucketWidth, type Ev } from './compile-expr.ts';
import type { ExecBatch } from './frame.ts';

type DenseKey =
  | { kind: 'num'; v: Float64Array }
  | { kind: 'code'; codes: Int32Array; dict: ArrayLike<unknown> }
  | { kind: 'val'; v: unknown[] };

const NONE = Symbol('none');

export class GroupTable {
  nGroups = 0;
  readonly keyVals: unknown[][] = [];
  private readonly root = new Map<unknown, unknown>();
  private readonly hashers: ((v: unknown) => unknown)[];
  private readonly buckets: ([number, number, number] | undefined)[];
  private codeCache = new Int32Array(0);

  constructor(
    private readonly groups: readonly Expr[],
    private readonly keyEvs: readonly Ev[],
  ) {
    this.hashers = groups.map((g) => hashKeyFor(g.type));
    this.buckets = groups.map((g) => {
      if (g.kind !== 'call') return undefined;
      const bw = bucketWidth(g);
      const arg = g.args[1];
      return bw && arg.kind === 'col' ? [bw[0], bw[1], arg.index] : undefined;
    });
  }

  private dense(k: number, b: ExecBatch, sel: Uint32Array | undefined, n: number): DenseKey {
    const g = this.groups[k];
    const bucket = this.buckets[k];
    const colIdx = g.kind === 'col' ? g.index : bucket ? bucket[2] : -1;
    const vec: ExecVector | undefined = colIdx >= 0 ? b.cols[colIdx] : undefined;
    if (
      vec?.kind === 'flat' &&
      !vec.nulls &&
      (vec.values instanceof Float64Array || vec.values instanceof Int32Array)
    ) {
      const src = vec.values;
      const out = this.numScratch(k, n);
      const isFloat = g.type === 'float64' || g.type === 'float32';
      if (bucket) {
        const [w, origin] = bucket;
        for (let j = 0; j < n; j++) out[j] = origin + Math.floor((src[sel ? sel[j] : j] - origin) / w) * w;
        return { kind: 'num', v: out };
      }
      if (!isFloat || vec.type === g.type) {
        for (let j = 0; j < n; j++) out[j] = src[sel ? sel[j] : j];
        // -0 and 0 are one group.
        if (isFloat) for (let j = 0; j < n; j++) if (out[j] === 0) out[j] = 0;
        return { kind: 'num', v: out };
      }
    }
    // Not for char(n): dictionary entries differing only in trailing spaces are one group.
    if (g.kind === 'col' && vec?.kind === 'dict' && !vec.nulls && g.type !== 'bpchar') {
      const codes = this.codeScratch(k, n);
      const src = vec.codes;
      for (let j = 0; j < n; j++) codes[j] = src[sel ? sel[j] : j];
      return { kind: 'code', codes, dict: vec.dict.values as ArrayLike<unknown> };
    }
    const ev = this.keyEvs[k];
    const v: unknown[] = new Array(n);
    for (let j = 0; j < n; j++) v[j] = ev(sel ? sel[j] : j);
    return { kind: 'val', v };
  }

  private readonly nums: Float64Array[] = [];
  private readonly codesBuf: Int32Array[] = [];

  /** Per-key scratch buffers, reused across batches (dense keys live only during assign). */
  private numScratch(k: number, n: number): Float64Array {
    let a = this.nums[k];
    if (!a || a.length < n) a = this.nums[k] = new Float64Array(Math.max(n, 1024));
    return a;
  }

  private codeScratch(k: number, n: number): Int32Array {
    let a = this.codesBuf[k];
    if (!a || a.length < n) a = this.codesBuf[k] = new Int32Array(Math.max(n, 1024));
    return a;
  }

  /** GROUP BY bucket(time), dict column: the TSBS double-groupby shape, without generic dispatch. */
  private assignNumCode(
    v0: Float64Array,
    codes: Int32Array,
    dict: ArrayLike<unknown>,
    n: number,
    gids: Int32Array,
  ): void {
    if (this.codeCache.length < dict.length) this.codeCache = new Int32Array(dict.length);
    const cache = this.codeCache;
    const hash1 = this.hashers[1];
    let key0 = Number.NaN;
    let child: Map<unknown, unknown> | undefined;
    for (let j = 0; j < n; j++) {
      const k0 = v0[j];
      if (k0 !== key0 || child === undefined) {
        key0 = k0;
        child = this.root.get(k0) as Map<unknown, unknown> | undefined;
        if (!child) this.root.set(k0, (child = new Map()));
        cache.fill(-1);
      }
      const c = codes[j];
      let g = cache[c];
      if (g < 0) {
        const v1 = dict[c];
        const hk = hash1(v1);
        let found = child.get(hk) as number | undefined;
        if (found === undefined) {
          found = this.nGroups++;
          child.set(hk, found);
          this.keyVals.push([k0, v1]);
        }
        g = cache[c] = found;
      }
      gids[j] = g;
    }
  }

  /** The hash-map key of a group key value (as `assign` derives it). */
  private mapKey(k: number, v: unknown): unknown {
    return v === null ? null : this.hashers[k](v);
  }

  /**
   * Adds a group for key values taken from another table (a spilled group
   * coming back); returns its id. The key must not have a group yet.
   */
  insert(keyVals: unknown[]): number {
    const nk = this.groups.length;
    let m = this.root;
    for (let k = 0; k < nk - 1; k++) {
      const hk = this.mapKey(k, keyVals[k]);
      let child = m.get(hk) as Map<unknown, unknown> | undefined;
      if (!child) m.set(hk, (child = new Map()));
      m = child;
    }
    const hk = this.mapKey(nk - 1, keyVals[nk - 1]);
    if (m.has(hk)) throw new Error('group-table: inserted key already has a group');
    const g = this.nGroups++;
    m.set(hk, g);
    this.keyVals.push(keyVals);
    return g;
  }

  /**
   * Forgets the groups `dead` selects (their ids are not reused, and their
   * key values are dropped): rows with those keys would start new groups.
   */
  remove(dead: (g: number) => boolean): void {
    const walk = (m: Map<unknown, unknown>, depth: number): void => {
      for (const [k, v] of m) {
        if (depth === this.groups.length - 1) {
          const g = v as number;
          if (!dead(g)) continue;
          m.delete(k);
          this.keyVals[g] = [];
        } else {
          const child = v as Map<unknown, unknown>;
          walk(child, depth + 1);
          if (child.size === 0) m.delete(k);
        }
      }
    };
    if (this.groups.length > 0) walk(this.root, 0);
  }

  /** Fills `gids[j]` with the group of the j-th live row, creating groups as needed. */
  assign(b: ExecBatch, sel: Uint32Array | undefined, n: number, gids: Int32Array): void {
    const nk = this.groups.length;
    const keys = this.groups.map((_, k) => this.dense(k, b, sel, n));
    if (nk === 1 && keys[0].kind === 'num') {
      // GROUP BY bucket(time): runs of equal keys in time-ordered data hit a one-entry memo.
      const v = keys[0].v;
      const root = this.root;
      let lastK = Number.NaN;
      let lastG = -1;
      for (let j = 0; j < n; j++) {
        const k = v[j];
        if (k !== lastK) {
          let g = root.get(k) as number | undefined;
          if (g === undefined) {
            g = this.nGroups++;
            root.set(k, g);
            this.keyVals.push([k]);
          }
          lastK = k;
          lastG = g;
        }
        gids[j] = lastG;
      }
      return;
    }
    if (nk === 2 && keys[0].kind === 'num' && keys[1].kind === 'code') {
      this.assignNumCode(keys[0].v, keys[1].codes, keys[1].dict, n, gids);
      return;
    }
    const hashers = this.hashers;
    const hashed = (k: number, j: number): unknown => {
      const d = keys[k];
      if (d.kind === 'num') return d.v[j];
      const v = d.kind === 'code' ? d.dict[d.codes[j]] : d.v[j];
      return v === null ? null : hashers[k](v);
    };
    const value = (k: number, j: number): unknown => {
      const d = keys[k];
      return d.kind === 'num' ? d.v[j] : d.kind === 'code' ? d.dict[d.codes[j]] : d.v[j];
    };
    const last = keys[nk - 1];
    const lastCodes = last.kind === 'code' ? last.codes : undefined;
    if (lastCodes && this.codeCache.length < (last as { dict: ArrayLike<unknown> }).dict.length) {
      this.codeCache = new Int32Array((last as { dict: ArrayLike<unknown> }).dict.length);
    }
    const cache = this.codeCache;
    let cacheOwner: Map<unknown, unknown> | undefined;
    let memoKey: unknown = NONE;
    let memoChild: Map<unknown, unknown> | undefined;
    const root = this.root;
    let lastM: Map<unknown, unknown> | undefined;
    let lastHk: unknown = NONE;
    let lastG = -1;
    for (let j = 0; j < n; j++) {
      let m = root;
      for (let k = 0; k < nk - 1; k++) {
        const hk = hashed(k, j);
        if (k === 0 && hk === memoKey) {
          m = memoChild!;
          continue;
        }
        let child = m.get(hk) as Map<unknown, unknown> | undefined;
        if (!child) {
          child = new Map();
          m.set(hk, child);
        }
        if (k === 0) {
          memoKey = hk;
          memoChild = child;
        }
        m = child;
      }
      if (lastCodes) {
        if (cacheOwner !== m) {
          cache.fill(-1);
          cacheOwner = m;
        }
        const g = cache[lastCodes[j]];
        if (g >= 0) {
          gids[j] = g;
          continue;
        }
      }
      const hk = hashed(nk - 1, j);
      if (m === lastM && hk === lastHk) {
        gids[j] = lastG;
        continue;
      }
      let g = m.get(hk) as number | undefined;
      if (g === undefined) {
        g = this.nGroups++;
        m.set(hk, g);
        const kv = new Array(nk);
        for (let q = 0; q < nk; q++) kv[q] = value(q, j);
        this.keyVals.push(kv);
      }
      if (lastCodes) cache[lastCodes[j]] = g;
      lastM = m;
      lastHk = hk;
      lastG = g;
      gids[j] = g;
    }
  }
}
