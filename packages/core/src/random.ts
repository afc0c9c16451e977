import { formatValue } from './errors';
/**
 * Seeded pseudo-random numbers computed in plain JavaScript, so that the same seed gives the same
 * weights, shuffles and dropout masks on every backend.
 *
 * Generator: xoshiro128** (Blackman and Vigna, 2018) seeded through splitmix32.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform(); // in [0, 1)
 * rng.normal();  // mean 0, std 1
 * ```
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, received ${formatValue(seed)}`);
    // splitmix32 expands one 32-bit seed into four well-mixed state words.
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A new generator whose stream is independent of this one's later draws. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /** Fisher-Yates shuffle of `0..n-1`. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit reaches every output bit. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * An inverted-dropout mask of `size` values: each is `scale` with probability `keep`, else 0.
 * Counter-based, so that a backend can compute any stretch of it on its own (in parallel, in
 * vectors) and get these values exactly: draw `i` is `mix32(((i + 1) * 0x9e3779b9) ^ key)` with
 * `key = mix32(seed ^ 0x9e3779b9)` (32-bit arithmetic), and the value is `scale` where the draw is
 * below `keep * 2^32`. The XOR keeps two seeds' streams from being shifted copies of one sequence.
 * Backends offering FUSED_KERNELS.dropoutMask must produce the same values.
 */
export function dropoutMaskValues(seed: number, size: number, keep: number, scale: number): Float32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`dropout mask: seed must be a 32-bit unsigned integer, received ${formatValue(seed)}`);
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`dropout mask: size must be a non-negative integer, received ${formatValue(size)}`);
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`dropout mask: keep must be in (0, 1], received ${formatValue(keep)}`);
  const values = new Float32Array(size);
  const threshold = keep * 4294967296;
  const key = mix32(seed ^ 0x9e3779b9);
  for (let i = 0; i < size; i++) if (mix32(Math.imul(i + 1, 0x9e3779b9) ^ key) < threshold) values[i] = scale;
  return values;
}
