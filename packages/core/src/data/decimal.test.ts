import { describe, expect, it } from 'vitest';
import { parseDecimal } from './decimal';
import { Rng } from '../random';

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseDecimal(bytes(text), 0, bytes(text).length);

describe('parseDecimal', () => {
  it('reads exactly what Number reads, bit for bit, over random decimals of 1 to 20 digits and exponents -330 to 310', () => {
    const rng = new Rng(7);
    const random = () => rng.uniform();
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
    for (let i = 0; i < 20_000; i++) {
      const whole = digits(Math.floor(random() * 12));
      const fraction = random() < 0.6 ? `.${digits(Math.floor(random() * 10))}` : '';
      const exponent = random() < 0.3 ? `${random() < 0.5 ? 'e' : 'E'}${['', '+', '-'][Math.floor(random() * 3)]}${Math.floor(random() * 330)}` : '';
      const sign = ['', '-', '+'][Math.floor(random() * 3)] as string;
      const text = `${sign}${whole || (fraction === '' || fraction === '.' ? '0' : '')}${fraction}${exponent}`;
      // Object.is tells -0 from 0; the float64 bits must be the same, not just close.
      expect([text, parse(text)]).toEqual([text, Number(text)]);
      expect(Object.is(parse(text), Number(text))).toBe(true);
    }
  });

  it('reads the edge cases Number reads: signs, bare points, leading zeros, blanks around, long mantissas, extreme exponents', () => {
    for (const text of ['0', '-0', '+5', '.5', '5.', '-.5e1', '007', '0.000001', ' 1.5 ', '\t2\r', '123456789012345678901234567890', '0.1234567890123456789', '1e308', '1.8e308', '4.9e-324', '2e-324', '1e-400', '9007199254740993', '1E+2']) {
      expect(Object.is(parse(text), Number(text))).toBe(true);
    }
  });

  it('refuses what is not decimal notation, though Number reads some of it', () => {
    for (const text of ['', ' ', '.', '-', '+-1', '0x10', '0b101', '0o7', '1_000', 'NaN', 'Infinity', '-Infinity', '1e', '1e+', '1.2.3', '1,5', '--1', '1 2', 'e5', '١']) {
      expect([text, parse(text)]).toEqual([text, Number.NaN]);
    }
  });

  it('reads only the given range of a larger buffer', () => {
    const buffer = bytes('99,-12.5,77');
    expect(parseDecimal(buffer, 3, 8)).toBe(-12.5);
  });
});
