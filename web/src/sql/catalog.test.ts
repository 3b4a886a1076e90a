import { describe, expect, it } from 'vitest';
import { toNamespace } from './catalog.ts';

describe('toNamespace', () => {
  it('groups columns by table, keeping their order', () => {
    expect(
      toNamespace([
        ['cpu', 'time'],
        ['cpu', 'host'],
        ['readings', 'id'],
        ['cpu', 'usage_user'],
      ]),
    ).toEqual({ cpu: ['time', 'host', 'usage_user'], readings: ['id'] });
  });

  it('ignores malformed rows and duplicate columns, and survives prototype names', () => {
    expect(
      toNamespace([
        ['t', 'a'],
        ['t', 'a'],
        [null, 'x'],
        ['u', 3],
        ['constructor', 'c'],
      ]),
    ).toEqual({ t: ['a'], constructor: ['c'] });
  });
});
