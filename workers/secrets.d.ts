/**
 * Secrets are not in wrangler.toml (they are set with `wrangler secret put`), so
 * `wrangler types` cannot see them; they are declared here by merging into the
 * generated `Cloudflare.Env`.
 */
declare namespace Cloudflare {
  interface Env {
    /** Control-plane Postgres (Neon in production; the embedded PGlite locally). */
    DATABASE_URL?: string;
    /** Local mode only: an API key that reaches the database named `default`. */
    OROCHI_DEV_API_KEY?: string;
    /**
     * JWK set (`{"keys":[...]}`) of ES256 private keys with `kid`; all verify, the last signs.
     * Optional only in local mode (a keypair is then generated and stored in Postgres).
     */
    JWT_SIGNING_KEYS?: string;
    /** Platform operators only: the bearer token of `GET /v1/health/deep`. Unset = only the dev key, locally. */
    OROCHI_OPERATOR_TOKEN?: string;
    /**
     * Encrypts changefeed signing secrets at rest (AES-GCM under a key derived from it by HKDF).
     * Required in production to create or rotate a changefeed; local mode falls back to a fixed dev key.
     */
    OROCHI_CDC_KEY?: string;
    /** Scales the webhook retry schedule (default 0.01 in local mode, 1 in production). */
    OROCHI_CDC_RETRY_SCALE?: string;
  }
}
