/**
 * A real HTTP webhook receiver on 127.0.0.1, run in Node by the workerd
 * globalSetup. Each hook path (`/hook/<name>`) records every request it gets
 * (headers and body) and answers from a script set by the test
 * (`PUT /script/<name>` with `[{status, headers?, delayMs?}]`, one per
 * request, then 200s). `GET /log/<name>` returns what the hook received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Step {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}
interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
  status: number;
}

export async function startWebhookReceiver(): Promise<{ url: string; stop: () => Promise<void> }> {
  const scripts = new Map<string, Step[]>();
  const logs = new Map<string, Received[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const [, kind, name = ''] = (req.url ?? '').split('/');
      if (kind === 'script' && req.method === 'PUT') {
        scripts.set(name, JSON.parse(body) as Step[]);
        res.writeHead(204).end();
        return;
      }
      if (kind === 'log' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(logs.get(name) ?? []));
        return;
      }
      if (kind === 'hook' && req.method === 'POST') {
        const step = scripts.get(name)?.shift() ?? { status: 200 };
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
        const list = logs.get(name) ?? [];
        list.push({ headers, body, at: Date.now(), status: step.status });
        logs.set(name, list);
        res.writeHead(step.status, step.headers ?? {}).end();
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
