/**
 * The framer yields the same messages however the byte stream is chunked
 * (property test with fast-check), and refuses impossible lengths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEncryptionRequest, MessageFramer } from './frames.ts';

const typed = (code: string, body: Uint8Array) => {
  const m = new Uint8Array(5 + body.length);
  m[0] = code.charCodeAt(0);
  new DataView(m.buffer).setInt32(1, 4 + body.length);
  m.set(body, 5);
  return m;
};
const untyped = (body: Uint8Array) => {
  const m = new Uint8Array(4 + body.length);
  new DataView(m.buffer).setInt32(0, 4 + body.length);
  m.set(body, 4);
  return m;
};
const SSL = untyped(new Uint8Array([0x04, 0xd2, 0x16, 0x2f]));

describe('MessageFramer', () => {
  it('yields every message exactly once, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom('Q', 'P', 'B', 'd'), fc.uint8Array({ maxLength: 40 })), {
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }),
        (ssl, bodies, cuts) => {
          const messages = [
            ...(ssl ? [SSL] : []),
            untyped(new Uint8Array([0, 3, 0, 0, 0])),
            ...bodies.map(([c, b]) => typed(c, b)),
          ];
          const stream = new Uint8Array(messages.reduce((s, m) => s + m.length, 0));
          let at = 0;
          for (const m of messages) {
            stream.set(m, at);
            at += m.length;
          }
          const f = new MessageFramer();
          const got: Uint8Array[] = [];
          let pos = 0;
          for (let i = 0; pos < stream.length; i++) {
            const n = cuts[i % cuts.length];
            got.push(...f.push(stream.subarray(pos, pos + n)));
            pos += n;
          }
          expect(got.map((m) => [...m])).toEqual(messages.map((m) => [...m]));
          // Each message is its own array at offset 0 (pg-gateway's reader needs that).
          for (const m of got) expect([m.byteOffset, m.buffer.byteLength]).toEqual([0, m.length]);
        },
      ),
    );
  });

  it('recognizes SSLRequest and refuses a length below 4', () => {
    expect(isEncryptionRequest(SSL)).toBe(true);
    const f = new MessageFramer();
    f.push(untyped(new Uint8Array([0, 3, 0, 0, 0])));
    expect(() => f.push(new Uint8Array([0x51, 0, 0, 0, 2]))).toThrow(/invalid message length 2/);
  });
});
