/**
 * @module engine/functions/number-template
 * NUM_processor's to_char merge of a printed number into a parsed picture
 * (engine/functions/number-picture). The server runs with the "C" numeric
 * locale, whose empty strings NUM_prepare_locale replaces by '.', ',', '+', '-'
 * and a blank currency symbol.
 */
import { SqlError, SqlState } from '../errors.ts';
import { F, K, LSIGN_POST, LSIGN_PRE, type NumDesc, type NumNode } from './number-picture.ts';

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
