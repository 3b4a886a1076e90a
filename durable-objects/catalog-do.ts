/**
 * @module durable-objects/catalog-do
 * One per database: tables, columns, distribution and the versioned shard map.
 */
import { DurableObject } from 'cloudflare:workers';

export class CatalogDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      );
    });
  }

  /** The catalog version; Workers cache catalog entries by it. */
  async version(): Promise<number> {
    const row = this.ctx.storage.sql
      .exec<{ value: string }>(`SELECT value FROM catalog_meta WHERE key = 'version'`)
      .toArray()[0];
    return row ? Number(row.value) : 0;
  }
}
