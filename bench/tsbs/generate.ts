/**
 * @module bench/tsbs/generate
 * TSBS devops "cpu-only" data, reproduced in TypeScript (timescale/tsbs,
 * pkg/data/usecases/devops): hosts `host_0..host_{n-1}` with the ten devops tags
 * chosen as TSBS chooses them, and ten cpu fields, each a random walk with N(0,1)
 * steps clamped to [0, 100] whose value is emitted truncated to a whole number
 * (TSBS `ToPointAllInt64`). One row per host every 10 s from 2016-01-01T00:00:00Z,
 * time-major (all hosts at t0, then all hosts at t1, …) like TSBS's simulator.
 *
 * Deterministic: the same scale and seed give the same rows on every runtime.
 * Output is columnar (typed arrays for time and fields) so it can be bulk-loaded
 * without a per-row object.
 */
import { Prng } from '../../engine/testing/prng.ts';

/** 2016-01-01T00:00:00Z in microseconds since the Unix epoch (TSBS's default start). */
export const TSBS_START_MICROS = Date.UTC(2016, 0, 1) * 1000;
/** TSBS's default log interval: 10 s. */
export const TSBS_INTERVAL_MICROS = 10_000_000;

/** Tag columns in TSBS order (hostname first). */
export const TAG_COLUMNS = [
  'hostname',
  'region',
  'datacenter',
  'rack',
  'os',
  'arch',
  'team',
  'service',
  'service_version',
  'service_environment',
] as const;

/** The ten cpu fields in TSBS order; `GetCPUMetricsSlice(n)` takes the first n. */
export const CPU_FIELDS = [
  'usage_user',
  'usage_system',
  'usage_idle',
  'usage_nice',
  'usage_iowait',
  'usage_irq',
  'usage_softirq',
  'usage_steal',
  'usage_guest',
  'usage_guest_nice',
] as const;

export type TagColumn = (typeof TAG_COLUMNS)[number];
export type CpuField = (typeof CPU_FIELDS)[number];
/** One host's tag values. */
export type TsbsHost = Readonly<Record<TagColumn, string>>;

const REGIONS: readonly { name: string; datacenters: readonly string[] }[] = [
  { name: 'us-east-1', datacenters: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e'] },
  { name: 'us-west-1', datacenters: ['us-west-1a', 'us-west-1b'] },
  { name: 'us-west-2', datacenters: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
  { name: 'eu-west-1', datacenters: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  { name: 'eu-central-1', datacenters: ['eu-central-1a', 'eu-central-1b'] },
  { name: 'ap-southeast-1', datacenters: ['ap-southeast-1a', 'ap-southeast-1b'] },
  { name: 'ap-southeast-2', datacenters: ['ap-southeast-2a', 'ap-southeast-2b'] },
  { name: 'ap-northeast-1', datacenters: ['ap-northeast-1a', 'ap-northeast-1c'] },
  { name: 'sa-east-1', datacenters: ['sa-east-1a', 'sa-east-1b', 'sa-east-1c'] },
];
const RACKS = Array.from({ length: 100 }, (_, i) => String(i));
const OS_CHOICES = ['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'];
const ARCH_CHOICES = ['x64', 'x86'];
const TEAM_CHOICES = ['SF', 'NYC', 'LON', 'CHI'];
const SERVICES = Array.from({ length: 20 }, (_, i) => String(i)); // rand.Int63n(20)
const SERVICE_VERSIONS = ['0', '1'];
const SERVICE_ENVIRONMENTS = ['production', 'staging', 'test'];

/** How much data to generate. */
export interface TsbsScale {
  /** Number of hosts (TSBS `--scale`). */
  readonly hosts: number;
  /** Hours of data from the start time. */
  readonly hours: number;
  /** PRNG seed; default 123 (TSBS's default `--seed` is 0 = time-based; we need reproducibility). */
  readonly seed?: number;
}

/** Generated cpu-only data, columnar. Row r is host `hostIndex[r]` at `time[r]`. */
export interface CpuData {
  readonly rowCount: number;
  readonly hosts: readonly TsbsHost[];
  readonly hostIndex: Int32Array;
  /** Microseconds since the Unix epoch, integral. */
  readonly time: Float64Array;
  readonly fields: Readonly<Record<CpuField, Float64Array>>;
  /** First and one-past-last timestamp in µs (the TSBS query interval). */
  readonly startMicros: number;
  readonly endMicros: number;
}

/** The hosts' tags, drawn in TSBS's order so tag skew matches TSBS's distributions. */
export function generateHosts(count: number, rng: Prng): TsbsHost[] {
  const hosts: TsbsHost[] = [];
  for (let i = 0; i < count; i++) {
    const region = rng.pick(REGIONS);
    hosts.push({
      hostname: `host_${i}`,
      region: region.name,
      datacenter: rng.pick(region.datacenters),
      rack: rng.pick(RACKS),
      os: rng.pick(OS_CHOICES),
      arch: rng.pick(ARCH_CHOICES),
      team: rng.pick(TEAM_CHOICES),
      service: rng.pick(SERVICES),
      service_version: rng.pick(SERVICE_VERSIONS),
      service_environment: rng.pick(SERVICE_ENVIRONMENTS),
    });
  }
  return hosts;
}

/** Generates `hosts × hours × 360` rows of TSBS cpu-only data. */
export function generateCpuOnly(scale: TsbsScale): CpuData {
  const rng = new Prng(scale.seed ?? 123);
  const hosts = generateHosts(scale.hosts, rng);
  const steps = Math.round((scale.hours * 3600e6) / TSBS_INTERVAL_MICROS);
  const nHosts = hosts.length;
  const rowCount = steps * nHosts;
  const time = new Float64Array(rowCount);
  const hostIndex = new Int32Array(rowCount);
  const columns = CPU_FIELDS.map(() => new Float64Array(rowCount));
  // One clamped walk per (host, field), starting uniformly in [0, 100) like TSBS.
  const state = new Float64Array(nHosts * CPU_FIELDS.length);
  for (let i = 0; i < state.length; i++) state[i] = rng.float() * 100;
  let r = 0;
  for (let s = 0; s < steps; s++) {
    const t = TSBS_START_MICROS + s * TSBS_INTERVAL_MICROS;
    for (let h = 0; h < nHosts; h++, r++) {
      time[r] = t;
      hostIndex[r] = h;
      const base = h * CPU_FIELDS.length;
      for (let f = 0; f < CPU_FIELDS.length; f++) {
        // TSBS emits the current state, then ticks (advances) the walk.
        columns[f][r] = Math.trunc(state[base + f]);
        let v = state[base + f] + rng.normal();
        if (v > 100) v = 100;
        if (v < 0) v = 0;
        state[base + f] = v;
      }
    }
  }
  const fields = Object.fromEntries(CPU_FIELDS.map((f, i) => [f, columns[i]])) as Record<
    CpuField,
    Float64Array
  >;
  return {
    rowCount,
    hosts,
    hostIndex,
    time,
    fields,
    startMicros: TSBS_START_MICROS,
    endMicros: TSBS_START_MICROS + steps * TSBS_INTERVAL_MICROS,
  };
}

/** A tag column expanded to one string per row (strings are shared, so this is one pointer per row). */
export function tagColumn(data: CpuData, tag: TagColumn): string[] {
  const perHost = data.hosts.map((h) => h[tag]);
  const out = new Array<string>(data.rowCount);
  for (let r = 0; r < data.rowCount; r++) out[r] = perHost[data.hostIndex[r]];
  return out;
}

/** All 21 columns of the denormalized `cpu` table, in table order, for `Database.bulkLoad`. */
export function cpuTableColumns(data: CpuData): Record<string, Float64Array | string[]> {
  const out: Record<string, Float64Array | string[]> = { time: data.time };
  for (const tag of TAG_COLUMNS) out[tag] = tagColumn(data, tag);
  for (const f of CPU_FIELDS) out[f] = data.fields[f];
  return out;
}

/**
 * DDL of the denormalized `cpu` table (PostgreSQL/TimescaleDB dialect; also valid
 * DuckDB). Tags are columns instead of TSBS's separate `tags` table so every peer
 * runs the same single-table schema.
 */
export const CPU_TABLE_DDL = `CREATE TABLE cpu (time timestamptz NOT NULL, ${TAG_COLUMNS.map((t) => `${t} text`).join(', ')}, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;
