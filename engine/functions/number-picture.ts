/**
 * @module engine/functions/number-picture
 * PostgreSQL's number format pictures (formatting.c, the NUM_* half): the
 * keywords, and parsing a picture into nodes and a NUMDesc with its 42601
 * errors (NUMDesc_prepare). Read by number-template (to_char's merge) and
 * number-input (to_number).
 */
import { SqlError, SqlState } from '../errors.ts';

/** Keyword ids (NUM_poz). */
export enum K {
  Comma,
  Dec,
  Zero,
  Nine,
  B,
  C,
  D,
  E,
  FM,
  G,
  L,
  MI,
  PL,
  PR,
  RN,
  SG,
  SP,
  S,
  TH,
  V,
  rn,
  th,
}

/** NUM_keywords in their search order. */
const KEYWORDS: readonly [string, K][] = [
  [',', K.Comma],
  ['.', K.Dec],
  ['0', K.Zero],
  ['9', K.Nine],
  ['B', K.B],
  ['C', K.C],
  ['D', K.D],
  ['EEEE', K.E],
  ['FM', K.FM],
  ['G', K.G],
  ['L', K.L],
  ['MI', K.MI],
  ['PL', K.PL],
  ['PR', K.PR],
  ['RN', K.RN],
  ['SG', K.SG],
  ['SP', K.SP],
  ['S', K.S],
  ['TH', K.TH],
  ['V', K.V],
  ['b', K.B],
  ['c', K.C],
  ['d', K.D],
  ['eeee', K.E],
  ['fm', K.FM],
  ['g', K.G],
  ['l', K.L],
  ['mi', K.MI],
  ['pl', K.PL],
  ['pr', K.PR],
  ['rn', K.rn],
  ['sg', K.SG],
  ['sp', K.SP],
  ['s', K.S],
  ['th', K.th],
  ['v', K.V],
];

/** NUMDesc flag bits. */
export const F = {
  decimal: 1 << 1,
  ldecimal: 1 << 2,
  zero: 1 << 3,
  blank: 1 << 4,
  fillmode: 1 << 5,
  lsign: 1 << 6,
  bracket: 1 << 7,
  minus: 1 << 8,
  plus: 1 << 9,
  roman: 1 << 10,
  multi: 1 << 11,
  plusPost: 1 << 12,
  minusPost: 1 << 13,
  eeee: 1 << 14,
} as const;

/** NUMDesc.lsign: where S prints (before or after the digits). */
export const LSIGN_PRE = -1;
export const LSIGN_POST = 1;

/** NUMDesc: digit counts before/after the point, sign placement, flags. */
export interface NumDesc {
  pre: number;
  post: number;
  lsign: number;
  flag: number;
  preLsignNum: number;
  multi: number;
  zeroStart: number;
  zeroEnd: number;
}

/** A FormatNode: a keyword, or characters copied through. */
export type NumNode = { key: K; chr?: undefined } | { key?: undefined; chr: string };

const syntax = (msg: string) => new SqlError(SqlState.syntaxError, msg);

/** NUMDesc_prepare: one keyword's effect on the description. */
function prepare(d: NumDesc, id: K): void {
  const is = (f: number) => (d.flag & f) !== 0;
  if (is(F.eeee) && id !== K.E) throw syntax('"EEEE" must be the last pattern used');
  switch (id) {
    case K.Nine:
      if (is(F.bracket)) throw syntax('"9" must be ahead of "PR"');
      if (is(F.multi)) d.multi++;
      else if (is(F.decimal)) d.post++;
      else d.pre++;
      break;
    case K.Zero:
      if (is(F.bracket)) throw syntax('"0" must be ahead of "PR"');
      if (!is(F.zero) && !is(F.decimal)) {
        d.flag |= F.zero;
        d.zeroStart = d.pre + 1;
      }
      if (!is(F.decimal)) d.pre++;
      else d.post++;
      d.zeroEnd = d.pre + d.post;
      break;
    case K.B:
      if (d.pre === 0 && d.post === 0 && !is(F.zero)) d.flag |= F.blank;
      break;
    case K.D:
    case K.Dec:
      if (id === K.D) d.flag |= F.ldecimal;
      if (is(F.decimal)) throw syntax('multiple decimal points');
      if (is(F.multi)) throw syntax('cannot use "V" and decimal point together');
      d.flag |= F.decimal;
      break;
    case K.FM:
      d.flag |= F.fillmode;
      break;
    case K.S:
      if (is(F.lsign)) throw syntax('cannot use "S" twice');
      if (is(F.plus) || is(F.minus) || is(F.bracket))
        throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
      if (!is(F.decimal)) {
        d.lsign = LSIGN_PRE;
        d.preLsignNum = d.pre;
        d.flag |= F.lsign;
      } else if (d.lsign === 0) {
        d.lsign = LSIGN_POST;
        d.flag |= F.lsign;
      }
      break;
    case K.MI:
      if (is(F.lsign)) throw syntax('cannot use "S" and "MI" together');
      d.flag |= F.minus;
      if (is(F.decimal)) d.flag |= F.minusPost;
      break;
    case K.PL:
      if (is(F.lsign)) throw syntax('cannot use "S" and "PL" together');
      d.flag |= F.plus;
      if (is(F.decimal)) d.flag |= F.plusPost;
      break;
    case K.SG:
      if (is(F.lsign)) throw syntax('cannot use "S" and "SG" together');
      d.flag |= F.minus | F.plus;
      break;
    case K.PR:
      if (is(F.lsign) || is(F.plus) || is(F.minus))
        throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
      d.flag |= F.bracket;
      break;
    case K.RN:
    case K.rn:
      d.flag |= F.roman;
      break;
    case K.V:
      if (is(F.decimal)) throw syntax('cannot use "V" and decimal point together');
      d.flag |= F.multi;
      break;
    case K.E:
      if (is(F.eeee)) throw syntax('cannot use "EEEE" twice');
      if (is(F.blank | F.fillmode | F.lsign | F.bracket | F.minus | F.plus | F.roman | F.multi))
        throw syntax('"EEEE" is incompatible with other formats');
      d.flag |= F.eeee;
      break;
  }
}

/** parse_format for a number picture: nodes and the NUMDesc. */
export function parseNumberPicture(fmt: string): { nodes: NumNode[]; desc: NumDesc } {
  const desc: NumDesc = {
    pre: 0,
    post: 0,
    lsign: 0,
    flag: 0,
    preLsignNum: 0,
    multi: 0,
    zeroStart: 0,
    zeroEnd: 0,
  };
  const nodes: NumNode[] = [];
  const chars = [...fmt];
  let i = 0;
  const rest = () => chars.slice(i, i + 4).join('');
  while (i < chars.length) {
    const s = rest();
    const kw = KEYWORDS.find(([name]) => s.startsWith(name));
    if (kw) {
      prepare(desc, kw[1]);
      nodes.push({ key: kw[1] });
      i += kw[0].length;
      continue;
    }
    if (chars[i] === '"') {
      i++;
      while (i < chars.length) {
        if (chars[i] === '"') {
          i++;
          break;
        }
        if (chars[i] === '\\' && i + 1 < chars.length) i++;
        nodes.push({ chr: chars[i++] });
      }
      continue;
    }
    if (chars[i] === '\\' && chars[i + 1] === '"') i++;
    nodes.push({ chr: chars[i++] });
  }
  return { nodes, desc };
}
