// Resource quantities compared by value, as the API server stores them
// (kubernetes/apimachinery:pkg/api/resource/quantity.go:ParseQuantity): `0.1` = `100m`, `1Gi` = `1024Mi`,
// `1000m` = `1`, `1e3` = `1k`. Values are kept exactly (BigInt) in nano units, rounded up as Quantity does.

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Returns the quantity's value in nano units (rounded up, as Quantity does beyond nano precision), or null when it does not parse. */
export function quantityNanos(q: string | number): bigint | null {
  const s = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q.trim();
  const m = QUANTITY.exec(s);
  if (!m) return null;
  const [, sign, number, binary, decimal, exponent] = m;
  const [whole, fraction = ''] = number!.split('.');
  const mantissa = BigInt(`${whole || '0'}${fraction}`);
  let exp10 = 9 - fraction.length;
  let factor = 1n;
  if (binary) factor = 1n << BigInt(10 * BINARY_POWER[binary]!);
  else if (decimal) exp10 += DECIMAL_EXPONENT[decimal]!;
  else if (exponent !== undefined) {
    const e = Number(exponent);
    if (!Number.isSafeInteger(e) || Math.abs(e) > 100) return null;
    exp10 += e;
  }
  let value: bigint;
  if (exp10 >= 0) value = mantissa * factor * 10n ** BigInt(exp10);
  else {
    const den = 10n ** BigInt(-exp10);
    const num = mantissa * factor;
    value = (num + den - 1n) / den; // round up to the next nano
  }
  return sign === '-' ? -value : value;
}

/** Returns whether two quantities are equal in value (unparseable ones compare as text). */
export function sameQuantity(a: string | number, b: string | number): boolean {
  const x = quantityNanos(a);
  const y = quantityNanos(b);
  return x !== null && y !== null ? x === y : String(a) === String(b);
}
