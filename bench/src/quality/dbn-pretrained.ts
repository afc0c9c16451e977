// The stack the `dbn` run (quality/dbn.js) pretrained, for the runners that fine-tune it again in
// other ways (dbn-all.js, dbn-cg.js, dbn-dropout.js). They read its folder and never write there.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Network } from '@dl4ts/core';
import type { NetworkConfig, Registry } from '@dl4ts/core';
import { loadModel } from '@dl4ts/core/node';
import { DBN_NAMES, copyRbmWeights } from '../rbm-models';
import { runFolder } from './run-store';

/** The folder of run `name` and its pretrained stack's file; an error when pretraining has not finished there. */
export function pretrainedSource(name: string): { folder: string; file: string } {
  const folder = runFolder(name);
  const file = join(folder, 'pretrain.safetensors');
  if (!existsSync(file)) throw new Error(`${folder} holds no pretrained stack: run quality/dbn.js first`);
  return { folder, file };
}

/** A new network of `config` holding the pretrained weights of `file` in its RBM layers. */
export async function pretrainedNetwork(file: string, config: NetworkConfig, registry: Registry): Promise<Network> {
  const net = new Network(config, { registry }).init();
  const pretrained = (await loadModel(file, { registry })).network;
  copyRbmWeights(pretrained, net, DBN_NAMES);
  pretrained.dispose();
  return net;
}
