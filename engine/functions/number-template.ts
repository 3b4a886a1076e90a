/**
 * @module engine/functions/number-template
 * PostgreSQL's number format pictures (formatting.c, the NUM_* half): parsing a
 * picture into nodes and a NUMDesc (with its 42601 errors), and NUM_processor's
 * to_char merge of a printed number into the picture. The server runs with the
 * "C" numeric locale, whose empty strings NUM_prepare_locale replaces by '.',
 * ',', '+', '-' and a blank currency symbol. Used by number-format (to_char) and
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

const LSIGN_PRE = -1;
const LSIGN_POST = 1;

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

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** get_th: the ordinal suffix of the number's last digit. */
function ordinalSuffix(num: string, upper: boolean): string {
  const last = num[num.length - 1];
  if (!isDigit(last)) throw new SqlError(SqlState.invalidTextRepresentation, `"${num}" is not a number`);
  const d = num.length > 1 && num[num.length - 2] === '1' ? 0 : Number(last);
  const th = d >= 1 && d <= 3 ? ['st', 'nd', 'rd'][d - 1] : 'th';
  return upper ? th.toUpperCase() : th;
}

/** get_last_relevant_decnum: index of the last non-zero fraction digit (the point if none); -1 without a point. */
function lastRelevantDecnum(num: string): number {
  const p = num.indexOf('.');
  if (p < 0) return -1;
  let r = p;
  for (let i = p + 1; i < num.length; i++) if (num[i] !== '0') r = i;
  return r;
}

/**
 * NUM_processor for to_char: `number` is the unsigned digits (or the '#' / roman /
 * EEEE text), `outPreSpaces` the picture's unused leading digit places, `sign` '+' or '-'.
 */
export function numberToPicture(
  nodes: readonly NumNode[],
  desc: NumDesc,
  number: string,
  outPreSpaces: number,
  sign: string,
): string {
  const d = { ...desc };
  const is = (f: number) => (d.flag & f) !== 0;
  if (d.zeroStart) d.zeroStart--;
  if (is(F.eeee)) return number;
  if (is(F.roman)) {
    d.lsign = d.preLsignNum = d.post = d.pre = 0;
    d.flag = (d.flag & F.fillmode) | F.roman;
    outPreSpaces = 0;
    sign = '';
  }
  let signWrote: boolean;
  if (is(F.plus) || is(F.minus)) signWrote = !(is(F.plus) && !is(F.minus));
  else {
    if (sign !== '-') {
      if (is(F.bracket) && is(F.fillmode)) d.flag &= ~F.bracket;
      if (is(F.minus)) d.flag &= ~F.minus;
    } else if (is(F.plus)) d.flag &= ~F.plus;
    signWrote = sign === '+' && is(F.fillmode) && !is(F.lsign);
    if (d.lsign === LSIGN_PRE && d.pre === d.preLsignNum) d.lsign = LSIGN_POST;
  }
  let numCount = d.post + d.pre - 1;
  let lastRelevant = -1;
  if (is(F.fillmode) && is(F.decimal)) {
    lastRelevant = lastRelevantDecnum(number);
    if (lastRelevant >= 0 && d.zeroEnd > outPreSpaces) {
      const lastZero = d.zeroEnd - outPreSpaces;
      if (lastRelevant < lastZero) lastRelevant = lastZero;
    }
  }
  if (!signWrote && outPreSpaces === 0) numCount++;

  let out = '';
  let numberP = 0;
  let numCurr = 0;
  let numIn = false;
  const at = (i: number) => (i >= 0 && i < number.length ? number[i] : '');
  const lastRelevantIsDot = () => lastRelevant >= 0 && at(lastRelevant) === '.';
  const predecSpace = () => !is(F.zero) && numberP === 0 && at(0) === '0' && d.post !== 0;

  const numpart = (id: K) => {
    if (is(F.roman)) return;
    numIn = false;
    if (
      !signWrote &&
      (numCurr >= outPreSpaces || (is(F.zero) && d.zeroStart === numCurr)) &&
      (!predecSpace() || lastRelevantIsDot())
    ) {
      if (is(F.lsign)) {
        if (d.lsign === LSIGN_PRE) {
          out += sign === '-' ? '-' : '+';
          signWrote = true;
        }
      } else if (is(F.bracket)) {
        out += sign === '+' ? ' ' : '<';
        signWrote = true;
      } else if (sign === '+') {
        if (!is(F.fillmode)) out += ' ';
        signWrote = true;
      } else if (sign === '-') {
        out += '-';
        signWrote = true;
      }
    }
    if (numCurr < outPreSpaces && (d.zeroStart > numCurr || !is(F.zero))) {
      if (!is(F.fillmode)) out += ' ';
    } else if (is(F.zero) && numCurr < outPreSpaces && d.zeroStart <= numCurr) {
      out += '0';
      numIn = true;
    } else {
      if (at(numberP) === '.') {
        if (!lastRelevantIsDot() || is(F.fillmode)) out += '.';
      } else if (lastRelevant >= 0 && numberP > lastRelevant && id !== K.Zero) {
        // digits past the last relevant one are dropped in fill mode
      } else if (predecSpace()) {
        if (!is(F.fillmode)) out += ' ';
        else if (lastRelevantIsDot()) out += '0';
      } else {
        // Past the number's end C writes its NUL here, which ends the text.
        out += at(numberP) || '\0';
        numIn = true;
      }
      if (numberP < number.length) numberP++;
    }
    let end = numCount + (outPreSpaces ? 1 : 0) + (is(F.decimal) ? 1 : 0);
    if (lastRelevant >= 0 && lastRelevant === numberP) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && is(F.bracket)) out += sign === '+' ? ' ' : '>';
      else if (is(F.lsign) && d.lsign === LSIGN_POST) out += sign === '-' ? '-' : '+';
    }
    numCurr++;
  };

  for (const n of nodes) {
    if (n.key === undefined) {
      out += n.chr;
      continue;
    }
    switch (n.key) {
      case K.Nine:
      case K.Zero:
      case K.Dec:
      case K.D:
        numpart(n.key);
        break;
      case K.Comma:
      case K.G:
        if (numIn) out += ',';
        else if (!is(F.fillmode)) out += ' ';
        break;
      case K.L:
        out += ' ';
        break;
      case K.RN:
      case K.rn: {
        const s = n.key === K.rn ? number.slice(numberP).toLowerCase() : number.slice(numberP);
        out += is(F.fillmode) ? s : s.padStart(15, ' ');
        break;
      }
      case K.TH:
      case K.th:
        if (is(F.roman) || number[0] === '#' || sign === '-' || is(F.decimal)) break;
        out += ordinalSuffix(number, n.key === K.TH);
        break;
      case K.MI:
        if (sign === '-') out += '-';
        else if (!is(F.fillmode)) out += ' ';
        break;
      case K.PL:
        if (sign === '+') out += '+';
        else if (!is(F.fillmode)) out += ' ';
        break;
      case K.SG:
        out += sign || '\0';
        break;
    }
  }
  const nul = out.indexOf('\0');
  return nul < 0 ? out : out.slice(0, nul);
}
