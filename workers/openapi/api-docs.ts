/**
 * @module workers/openapi/api-docs
 * `GET /v1/openapi.json`: the OpenAPI 3.1 document generated from the route
 * definitions (the same zod schemas that validate requests), and `GET /v1/docs`:
 * the API reference page (Scalar), which loads its self-hosted bundle (copied
 * into the dashboard's assets by web/vite.config.ts) and reads the document —
 * nothing comes from another origin.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { ACCESS_COOKIE } from '../auth/cookies.ts';

/** Where the dashboard's build puts Scalar's standalone bundle. */
export const API_REFERENCE_SCRIPT = '/api-reference/standalone.js';

/** The document's fixed part; `paths` and schemas come from the routes. */
export const DOCUMENT_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Orochi Edge API',
    version: '1',
    description:
      'Data plane (`/v1/databases/{database}/…`, the InfluxDB write API) and control plane (organizations, projects, databases, API keys, sign-in). Errors are `{"error": {"code", "message"}}`; data-plane codes are PostgreSQL SQLSTATEs.',
  },
} as const;

/** The security schemes the auth middleware accepts (documented here; enforced there). */
export function registerSecuritySchemes(app: OpenAPIHono<Env>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A project API key (data plane), or a bearer access token from a sign-in in `mode: "bearer"`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'influxToken', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'InfluxDB clients: `Authorization: Token <API key>` (the write API only).',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: ACCESS_COOKIE,
    description:
      'The browser session cookie set by a sign-in in `mode: "cookie"`; state-changing requests also need the `x-csrf-token` header.',
  });
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Orochi Edge API reference</title>
</head>
<body>
<script id="api-reference" data-url="/v1/openapi.json" data-configuration='{"withDefaultFonts":false,"telemetry":false}'></script>
<script src="${API_REFERENCE_SCRIPT}"></script>
</body>
</html>
`;

const documentRoute = createRoute({
  method: 'get',
  path: '/v1/openapi.json',
  tags: ['Meta'],
  summary: 'This OpenAPI 3.1 document',
  responses: {
    200: {
      description: 'The OpenAPI document',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

const docsRoute = createRoute({
  method: 'get',
  path: '/v1/docs',
  tags: ['Meta'],
  summary: 'The API reference page (reads /v1/openapi.json)',
  responses: { 200: { description: 'An HTML page', content: { 'text/html': { schema: z.string() } } } },
});

/** Mounts both routes on the root app, after every route group, so the document lists them all. */
export function serveApiDocs<E extends Env>(app: OpenAPIHono<E>): void {
  registerSecuritySchemes(app as unknown as OpenAPIHono<Env>);
  let document: Record<string, unknown> | undefined;
  app.openapi(documentRoute, (c) => {
    // Routes are fixed once the app is built: generate the document once per isolate.
    document ??= app.getOpenAPI31Document(DOCUMENT_INFO) as unknown as Record<string, unknown>;
    c.header('cache-control', 'public, max-age=300');
    return c.json(document, 200);
  });
  app.openapi(docsRoute, (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.html(PAGE, 200);
  });
}
