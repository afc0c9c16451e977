// Three interleaved spirals in the plane (the classic toy problem no linear model solves), seeded.
import { DataSet, Rng, oneHot } from '@dl4ts/core';

/** `perClass` points of each of 3 spiral arms, radius 0 to 1, with Gaussian noise of `noise`. */
export function spirals(perClass: number, noise: number, seed: number): DataSet {
  const rng = new Rng(seed);
  const points: number[][] = [];
  const classes: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / perClass;
      const t = (c * 2 * Math.PI) / 3 + 4 * r + noise * rng.normal();
      points.push([r * Math.sin(t), r * Math.cos(t)]);
      classes.push(c);
    }
  }
  const labels = oneHot(classes, 3);
  const data = DataSet.from(points, labels);
  labels.dispose();
  return data;
}
