// Parses decimal numbers straight from bytes, without a string per cell: the CSV loaders read
// tens of millions of cells, and a string each is what exhausted the heap on big files.

/** Exact powers of ten: every 10^k for k <= 22 is a float64 without rounding. */
const POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Significant digits that an integer mantissa holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;

const ZERO = 48;
const NINE = 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;

/** ASCII blanks trimmed around a cell: space, tab, CR, vertical tab, form feed. */
export function isBlank(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}

/**
 * Reads the decimal number in `bytes[start, end)`, blanks around it allowed: an optional sign,
 * digits with an optional point (at least one digit), an optional exponent. Anything else
 * (empty, `0x10`, `1_000`, `NaN`, `Infinity`) is NaN. The result is the correctly rounded
 * float64, bit for bit what `Number(text)` gives: Clinger's fast path (an exact mantissa times
 * or over an exact power of ten is one correctly rounded operation), else `Number` itself.
 *
 * @example
 * ```ts
 * parseDecimal(new TextEncoder().encode(' -1.5e3'), 0, 7); // -1500
 * ```
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let p = start;
  let e = end;
  while (p < e && isBlank(bytes[p] as number)) p++;
  while (e > p && isBlank(bytes[e - 1] as number)) e--;
  const from = p;
  let negative = false;
  if (p < e && (bytes[p] === PLUS || bytes[p] === MINUS)) negative = bytes[p++] === MINUS;
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  for (; p < e; p++) {
    const c = bytes[p] as number;
    if (c < ZERO || c > NINE) break;
    digits++;
    if (significant > 0 || c !== ZERO) {
      significant++;
      mantissa = mantissa * 10 + (c - ZERO);
    }
  }
  if (p < e && bytes[p] === DOT) {
    for (p++; p < e; p++) {
      const c = bytes[p] as number;
      if (c < ZERO || c > NINE) break;
      digits++;
      scale--;
      if (significant > 0 || c !== ZERO) {
        significant++;
        mantissa = mantissa * 10 + (c - ZERO);
      }
    }
  }
  if (digits === 0) return Number.NaN;
  if (p < e && (bytes[p] === 101 || bytes[p] === 69)) {
    p++;
    let expNegative = false;
    if (p < e && (bytes[p] === PLUS || bytes[p] === MINUS)) expNegative = bytes[p++] === MINUS;
    const expStart = p;
    let exponent = 0;
    for (; p < e; p++) {
      const c = bytes[p] as number;
      if (c < ZERO || c > NINE) break;
      if (exponent < 100_000) exponent = exponent * 10 + (c - ZERO);
    }
    if (p === expStart) return Number.NaN;
    scale += expNegative ? -exponent : exponent;
  }
  if (p !== e) return Number.NaN;
  if (significant <= EXACT_DIGITS && scale >= -22 && scale <= 22) {
    const magnitude = scale >= 0 ? mantissa * (POWERS[scale] as number) : mantissa / (POWERS[-scale] as number);
    return negative ? -magnitude : magnitude;
  }
  // Rare: more digits than a float64 mantissa holds exactly, or a large exponent. The grammar
  // above is a subset of Number's, so Number reads the same value.
  return Number(latin1(bytes, from, e));
}

/** The bytes as text, one character per byte (enough for the ASCII a number is made of). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i] as number);
  return text;
}
