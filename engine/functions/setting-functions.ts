/**
 * @module engine/functions/setting-functions
 * current_setting(name [, missing_ok]) and set_config(name, value, is_local)
 * over the running statement's session settings. They read and change state, so
 * they are volatile: the binder never folds them.
 */
import { SqlError, SqlState } from '../errors.ts';
import { activeSettings, SessionSettings } from '../types/session-settings.ts';
import type { SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';

/** Resolves current_setting / set_config; undefined for other names. */
export function resolveSettingFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  if (name === 'current_setting' && (args.length === 1 || args.length === 2))
    return {
      impl: {
        name,
        strict: true,
        fn: (n: unknown, missingOk?: unknown) => {
          if (missingOk === true && !SessionSettings.known(String(n))) return null;
          try {
            return activeSettings().show(String(n));
          } catch (e) {
            if (missingOk === true && e instanceof SqlError && e.code === SqlState.undefinedObject)
              return null;
            throw e;
          }
        },
      },
      type: 'text',
      argTypes: args.length === 1 ? ['text'] : ['text', 'bool'],
    };
  if (name === 'set_config' && args.length === 3)
    return {
      impl: {
        name,
        // A NULL value resets the setting, as in PostgreSQL; a NULL name is an error.
        strict: false,
        fn: (n: unknown, v: unknown, local: unknown) => {
          if (n === null) throw new SqlError('22004', 'SET requires parameter name');
          const s = activeSettings();
          s.set(String(n), v === null ? null : String(v), local === true);
          return s.show(String(n));
        },
      },
      type: 'text',
      argTypes: ['text', 'text', 'bool'],
    };
  return undefined;
}
