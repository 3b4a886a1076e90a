/**
 * @module cli/load-input
 * Opens what `orochi load` reads: a file or stdin (`-`), gunzipped when it
 * starts with gzip's magic bytes (whatever its name), with its format taken
 * from `--format`, the file name, or the first bytes. Counts the raw bytes
 * read so the progress bar can show how far through the file the load is.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { TextFormat } from './text-batches.ts';

export type LoadFormat = TextFormat | 'parquet';

export const LOAD_FORMATS: readonly LoadFormat[] = ['csv', 'ndjson', 'lp', 'parquet'];

/** An opened input: its decompressed bytes and how far the raw bytes have been read. */
export interface LoadInput {
  readonly format: LoadFormat;
  readonly gzip: boolean;
  /** Size of the raw file, when it is a regular file. */
  readonly totalBytes?: number;
  /** Raw (possibly compressed) bytes read so far. */
  bytesRead(): number;
  /** Decompressed bytes (not used for Parquet, which is read by path). */
  readonly chunks: AsyncIterable<Uint8Array>;
}

const BY_EXTENSION: Record<string, LoadFormat> = {
  csv: 'csv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
  lp: 'lp',
  line: 'lp',
};

/** The format a file name says, ignoring a trailing `.gz`. */
export function formatFromName(path: string): LoadFormat | undefined {
  const m = /\.([a-z]+)(?:\.gz)?$/i.exec(path);
  return m ? BY_EXTENSION[m[1].toLowerCase()] : undefined;
}

/** The format the first bytes suggest: Parquet's magic, a JSON object, a line-protocol point, else CSV. */
export function sniffFormat(head: Uint8Array): LoadFormat {
  const text = Buffer.from(head.subarray(0, 4096))
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (text.startsWith('PAR1')) return 'parquet';
  const line = text.trimStart().split('\n', 1)[0];
  if (line.startsWith('{')) return 'ndjson';
  // measurement[,tag=v…] field=v[,…] [timestamp]
  if (/^[^,\s=]+(,[^,=\s]+=[^,\s]+)* [^=\s,]+=\S+( -?\d+)?\r?$/.test(line)) return 'lp';
  return 'csv';
}

async function* counted(source: AsyncIterable<Buffer>, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/** Re-yields a first chunk already taken from an iterator, then the rest. */
async function* prepend<T>(firstChunk: T | undefined, rest: AsyncIterator<T>): AsyncGenerator<T> {
  if (firstChunk !== undefined) yield firstChunk;
  for (;;) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}

/** Opens `path` (`-` is stdin); `format` overrides the name and the sniffing. */
export async function openLoadInput(path: string, format?: LoadFormat): Promise<LoadInput> {
  let read = 0;
  const raw = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const totalBytes = path === '-' ? undefined : statSync(path).size;
  const rawIter = counted(raw as AsyncIterable<Buffer>, (n) => (read += n))[Symbol.asyncIterator]();
  const first = await rawIter.next();
  const head = first.done ? undefined : first.value;
  const gzip = head !== undefined && head[0] === 0x1f && head[1] === 0x8b;
  const chunks: AsyncIterator<Uint8Array> = gzip
    ? Readable.from(prepend(head, rawIter)).pipe(createGunzip())[Symbol.asyncIterator]()
    : prepend(head, rawIter);
  const firstPlain = await chunks.next();
  const plainHead = firstPlain.done ? undefined : firstPlain.value;
  const chosen =
    format ?? (path === '-' ? undefined : formatFromName(path)) ?? sniffFormat(plainHead ?? new Uint8Array());
  if (chosen === 'parquet' && (path === '-' || gzip)) {
    throw new Error(
      'Parquet is read from an uncompressed file (it needs random access), not from stdin or gzip',
    );
  }
  // Parquet is read by path (parquet-batches.ts): release this stream.
  if (chosen === 'parquet') raw.destroy();
  return { format: chosen, gzip, totalBytes, bytesRead: () => read, chunks: prepend(plainHead, chunks) };
}
