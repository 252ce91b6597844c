// Number formatting for tables, tooltips and axis labels. Pure: no DOM.

/** Compact, readable numbers: 4 significant digits, exponents outside [1e-3, 1e6), "—" for none. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '\u2014';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '\u221e';
  if (v === -Infinity) return '-\u221e';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return exponential(v);
  if (a >= 1000) return String(Math.round(v));
  return trimZeros(v.toPrecision(4));
}

/** Always in exponent form, 4 significant digits: a column of 9.897e5, 1.289e6, 5.58e6 reads alike. */
export function formatExponent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v) || v === 0) return formatNumber(v);
  return exponential(v);
}

/** 4 significant digits in exponent form, trailing zeros and the exponent's "+" dropped: 1.5e6. */
function exponential(v: number): string {
  const [m, e] = v.toExponential(3).split('e');
  return `${trimZeros(m)}e${e.startsWith('+') ? e.slice(1) : e}`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Integers (steps, batch sizes) with thin grouping: 1048576 -> "1,048,576". */
export function formatInteger(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return formatNumber(v);
  if (!Number.isInteger(v)) return formatNumber(v);
  // Not toLocaleString: it costs tens of microseconds per call, and tables call it thousands of times.
  const digits = String(Math.abs(v));
  if (digits.includes('e')) return formatNumber(v);
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? `-${out}` : out;
}

/**
 * Labels of a log axis: values with mantissa 1, 2 or 5 (1, 2, 5, 10, 20, ...), blank otherwise;
 * only the powers of ten when the axis [lo, hi] spans more than three decades. An axis reaching
 * beyond 1e-3 .. 1e4 labels its powers of ten all alike, as 10ⁿ (not "1000", "1e4", "100000", "1e6").
 */
export function logTickLabel(v: number, lo?: number, hi?: number): string {
  if (!(v > 0)) return '';
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = v / 10 ** e;
  const wide = lo !== undefined && hi !== undefined && lo > 0 && hi / lo > 1e3;
  if (!(wide ? [1] : [1, 2, 5]).some((k) => Math.abs(m - k) < 1e-6 * k)) return '';
  const extreme = lo !== undefined && hi !== undefined && (lo < 0.9e-3 || hi > 1.1e4);
  return extreme && Math.abs(m - 1) < 1e-6 ? powerOfTen(e) : formatNumber(v);
}

/** 10ⁿ with a superscript exponent. */
export function powerOfTen(e: number): string {
  return `10${superscript(e)}`;
}

/** An integer exponent in superscript digits, with a superscript minus. */
function superscript(e: number): string {
  return `${e < 0 ? '\u207b' : ''}${[...String(Math.abs(e))].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
}

/**
 * Labels of a linear axis, alike across its ticks: when the largest tick is 10^5 or more, every
 * tick in exponent form (0, 5e5, 1e6, 1.5e6 rather than 500000, 1e6, 1500000).
 */
export function linearTickLabel(v: number, ticks: readonly { value: number }[]): string {
  let big = 0;
  for (const t of ticks) big = Math.max(big, Math.abs(t.value));
  if (big < 1e5 || v === 0) return formatNumber(v);
  return exponential(v);
}

const SUPERSCRIPT = '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079';

/** 2 to an integer power as "2¹⁰"; other values as formatNumber. */
export function powerOfTwoLabel(v: number): string {
  const k = Math.log2(v);
  if (!(v > 0) || Math.abs(k - Math.round(k)) > 1e-9) return formatNumber(v);
  return `2${superscript(Math.round(k))}`;
}
