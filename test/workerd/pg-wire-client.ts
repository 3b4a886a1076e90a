/**
 * A raw PostgreSQL protocol client over `SELF.fetch`'s WebSocket to `/v2`, for
 * workerd tests: frontend messages from pg-protocol's serializer, backend
 * messages read by pg-protocol's parser.
 */
import { SELF } from 'cloudflare:test';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages';
import { Parser } from 'pg-protocol/dist/parser.js';

export { serialize };

/** One backend message with the fields tests read. */
// biome-ignore lint/suspicious/noExplicitAny: pg-protocol's message classes differ per kind.
export type Msg = BackendMessage & Record<string, any>;

export class WireClient {
  private readonly msgs: Msg[] = [];
  private waiters: (() => void)[] = [];
  private readonly parser = new Parser();
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    // The pool delivers binary messages as Blobs: read them in arrival order.
    let arrived: Promise<void> = Promise.resolve();
    ws.addEventListener('message', (ev) => {
      const d = ev.data as ArrayBuffer | Blob;
      arrived = arrived.then(async () => {
        const bytes = d instanceof ArrayBuffer ? d : await (d as Blob).arrayBuffer();
        this.parser.parse(Buffer.from(bytes), (m) => this.msgs.push(m as Msg));
        this.wake();
      });
    });
    ws.addEventListener('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Opens `/v2` and sends the startup packet (and, unless undefined, the password right after it). */
  static async connect(database: string, password: string | undefined, user = 'anyone'): Promise<WireClient> {
    const res = await SELF.fetch('https://orochi.test/v2', { headers: { upgrade: 'websocket' } });
    const ws = res.webSocket;
    if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
    ws.accept();
    const c = new WireClient(ws);
    c.send(serialize.startup({ user, database }));
    if (password !== undefined) c.send(serialize.password(password));
    return c;
  }

  send(...bufs: Buffer[]): void {
    const b = Buffer.concat(bufs);
    this.ws.send(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }

  /** Messages up to and including the next one named `name` (e.g. readyForQuery). */
  async until(name: string): Promise<Msg[]> {
    for (;;) {
      const i = this.msgs.findIndex((m) => m.name === name);
      if (i >= 0) return this.msgs.splice(0, i + 1);
      if (this.closed) return this.msgs.splice(0);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Simple query: every message up to ReadyForQuery. */
  async query(sql: string): Promise<Msg[]> {
    this.send(serialize.query(sql));
    return this.until('readyForQuery');
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** DataRow fields of a reply. */
export const rowsOf = (msgs: Msg[]) => msgs.filter((m) => m.name === 'dataRow').map((m) => m.fields);
export const errorOf = (msgs: Msg[]) => msgs.find((m) => m.name === 'error');
export const tagsOf = (msgs: Msg[]) => msgs.filter((m) => m.name === 'commandComplete').map((m) => m.text);
export const statusOf = (msgs: Msg[]) => msgs.find((m) => m.name === 'readyForQuery')?.status;
