/**
 * @module workers/cdc/webhook-url
 * Which webhook URLs a changefeed may POST to. Everywhere: http or https
 * only, no credentials in the URL. In production also https only, and no host
 * that is `localhost` or an IP literal in a private, loopback, link-local,
 * CGNAT or unspecified range (SSRF). A Worker cannot resolve a name before
 * fetching it, so a public name that resolves to a private address is not
 * caught here (Cloudflare's outbound fetch does not reach private networks).
 * Local mode (`npm start`, the test pool) allows loopback and plain http.
 */
import { isLocalMode } from '../app-context.ts';
import { ApiError } from '../errors.ts';

const bad = (why: string) => new ApiError(400, '22023', `invalid webhook URL: ${why}`);

function privateV4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    a >= 224
  );
}

function privateV6(host: string): boolean {
  if (!host.startsWith('[')) return false;
  const h = host.slice(1, -1).toLowerCase();
  if (h === '::' || h === '::1') return true;
  const mapped = /^::ffff:(.+)$/.exec(h);
  if (mapped) {
    // URL normalizes ::ffff:a.b.c.d to hex groups: any mapped IPv4 is refused.
    return true;
  }
  return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
}

/** The checked URL, or a 400 (SQLSTATE 22023) saying why it is refused. */
export function checkWebhookUrl(env: Env, raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048)
    throw bad('"url" must be a string of 1 to 2048 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw bad(`scheme "${url.protocol.slice(0, -1)}" is not http or https`);
  if (url.username || url.password) throw bad('credentials in the URL are not allowed');
  if (!isLocalMode(env)) {
    if (url.protocol !== 'https:') throw bad('production webhooks must use https');
    const host = url.hostname.toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || privateV4(host) || privateV6(host))
      throw bad(`host "${host}" is a private, loopback or link-local address`);
  }
  return url.toString();
}
