/**
 * @module engine/functions/float-send
 * float4send / float8send: the binary send form of a float (IEEE 754, big
 * endian) as bytea, which PostgreSQL's regression scripts use to show the exact
 * bits an input rounded to.
 */
import { isIntegerType, type SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';

function send(x: number, single: boolean): Uint8Array {
  const view = new DataView(new ArrayBuffer(single ? 4 : 8));
  if (single) view.setFloat32(0, x);
  else view.setFloat64(0, x);
  return new Uint8Array(view.buffer);
}

/** Resolves float4send(real) / float8send(double precision); undefined otherwise. */
export function resolveFloatSend(name: string, args: readonly SqlType[]): Resolved | undefined {
  if (args.length !== 1) return undefined;
  const want = name === 'float4send' ? 'float32' : name === 'float8send' ? 'float64' : undefined;
  const t = args[0];
  // Implicit casts only: float8 does not become float4 without an explicit cast.
  const castable =
    t === want ||
    t === 'unknown' ||
    t === 'numeric' ||
    isIntegerType(t) ||
    (want === 'float64' && t === 'float32');
  if (!want || !castable) return undefined;
  const single = want === 'float32';
  return {
    impl: { name, strict: true, fn: ((x: number) => send(x, single)) as (...a: unknown[]) => unknown },
    type: 'bytea',
    argTypes: [want],
  };
}
