/**
 * @module bench/pg-regress/canon-array
 * Arrays and bytea in the regression replay's comparison. PostgreSQL (PGlite,
 * text output) answers an array as its text literal (`{1,NULL,""}`), Orochi as
 * a JS array; both are read into nested lists and each element is brought to
 * its element type's canonical text, so `{1,NULL,3}` equals `[1, null, 3]` and
 * `{""}` (an empty string) never equals `{NULL}`. bytea from Orochi (bytes) is
 * compared as PostgreSQL's hex output.
 */

/** Element type OID of the array types PostgreSQL's regression scripts return. */
const ELEMENT_OIDS: Record<number, number> = {
  199: 114,
  1000: 16,
  1001: 17,
  1005: 21,
  1007: 23,
  1009: 25,
  1014: 1042,
  1015: 1043,
  1016: 20,
  1021: 700,
  1022: 701,
  1028: 26,
  1115: 1114,
  1182: 1082,
  1183: 1083,
  1185: 1184,
  1187: 1186,
  1231: 1700,
  2951: 2950,
  3807: 3802,
};

/** Element type of an array type OID; the OID itself for other types. */
export function elementOid(oid: number): number {
  return ELEMENT_OIDS[oid] ?? oid;
}

/** Whether `oid` is an array type this module can read. */
export function isArrayOid(oid: number): boolean {
  return oid in ELEMENT_OIDS;
}

type Nested = string | null | Nested[];

/**
 * Reads PostgreSQL's array text output (`{a,"b c",NULL,{1,2}}`) into nested lists of
 * element texts (null for an unquoted NULL); undefined when `text` is not one
 * (say, an array with explicit bounds `[0:1]={…}`).
 */
export function parseArrayText(text: string): Nested[] | undefined {
  let i = 0;
  const list = (): Nested[] | undefined => {
    if (text[i] !== '{') return undefined;
    i++;
    const out: Nested[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') {
        const inner = list();
        if (!inner) return undefined;
        out.push(inner);
      } else if (text[i] === '"') {
        let s = '';
        for (i++; i < text.length && text[i] !== '"'; i++) s += text[i] === '\\' ? text[++i] : text[i];
        if (text[i++] !== '"') return undefined;
        out.push(s);
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(/^null$/i.test(raw) ? null : raw);
      }
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return out;
      } else return undefined;
    }
  };
  const r = list();
  return r && i === text.length ? r : undefined;
}

/**
 * Canonical text of an array value (JS array or PostgreSQL array text) of type `oid`,
 * each element through `canonElement`; undefined when `v` is text that is not an array.
 */
export function canonArray(
  v: unknown,
  oid: number,
  canonElement: (x: unknown, elementOid: number) => string,
): string | undefined {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? parseArrayText(v) : undefined;
  if (!list) return undefined;
  const et = elementOid(oid);
  const walk = (xs: readonly unknown[]): string =>
    `[${xs.map((x) => (Array.isArray(x) ? walk(x) : JSON.stringify(canonElement(x, et)))).join(',')}]`;
  return walk(list);
}

/** PostgreSQL's hex output of bytes (`\x0aff`). */
export function byteaHex(v: Uint8Array): string {
  let s = '\\x';
  for (const b of v) s += b.toString(16).padStart(2, '0');
  return s;
}
