import { Rng } from '@dl4ts/core';

/** Generated 28x28 images in 10 classes, for when MNIST is not at hand. Pixels in [0, 1]. */
export interface SyntheticImages {
  readonly features: Float32Array;
  readonly labels: Float32Array;
  readonly n: number;
}

const SIZE = 28;

/**
 * Ten seeded prototype "glyphs" (each a few Gaussian strokes), and samples of them shifted by up
 * to 3 pixels with pixel noise: an MNIST-shaped problem (784 inputs, 10 classes) that a small MLP
 * learns to a high, but not perfect, accuracy.
 */
export function syntheticDigits(n: number, seed: number): SyntheticImages {
  const protoRng = new Rng(20240101);
  const prototypes = Array.from({ length: 10 }, () => {
    const bumps = Array.from({ length: 4 }, () => ({ x: protoRng.uniformRange(7, 21), y: protoRng.uniformRange(7, 21), s: protoRng.uniformRange(1.5, 4) }));
    return (px: number, py: number) => Math.min(1, bumps.reduce((sum, b) => sum + Math.exp(-((px - b.x) ** 2 + (py - b.y) ** 2) / (2 * b.s * b.s)), 0));
  });
  const rng = new Rng(seed);
  const features = new Float32Array(n * SIZE * SIZE);
  const labels = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) {
    const c = rng.int(10);
    const dx = rng.int(7) - 3;
    const dy = rng.int(7) - 3;
    const glyph = prototypes[c] as (x: number, y: number) => number;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const v = glyph(x - dx, y - dy) + 0.35 * rng.normal();
        features[i * SIZE * SIZE + y * SIZE + x] = Math.min(1, Math.max(0, v));
      }
    }
    labels[i * 10 + c] = 1;
  }
  return { features, labels, n };
}
