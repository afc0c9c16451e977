// Characters for the recurrent cases: tiny Shakespeare when it is found, else generated text with
// the same vocabulary size (speed does not depend on the text; only the loss figures do).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@dl4ts/core';
import { dataRoot } from './data';

/** Floating-point operations of one training step per character of an LSTM stack with a softmax output: forward 2 nIn 4n + 2 n 4n per layer, backward twice that. */
export function lstmTrainingFlops(vocab: number, hidden: readonly number[]): number {
  let flops = 0;
  let nIn = vocab;
  for (const n of hidden) {
    flops += 3 * (2 * nIn * 4 * n + 2 * n * 4 * n);
    nIn = n;
  }
  return flops + 3 * 2 * nIn * vocab;
}

/** The tiny Shakespeare text, or `fallbackLength` characters drawn from 65 symbols. */
export function shakespeareOrRandom(fallbackLength = 200_000): { text: string; real: boolean } {
  const file = join(dataRoot(), 'tinyshakespeare', 'input.txt');
  if (existsSync(file)) return { text: readFileSync(file, 'latin1'), real: true };
  const rng = new Rng(3);
  const symbols = Array.from({ length: 65 }, (_, i) => String.fromCharCode(32 + i));
  return { text: Array.from({ length: fallbackLength }, () => symbols[rng.int(symbols.length)]).join(''), real: false };
}
