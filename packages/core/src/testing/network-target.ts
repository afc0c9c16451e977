import { modelOf } from '../built-model';
import { Dl4tsError } from '../errors';
import type { Model } from '../model';
import { trainingTarget } from '../network-target';
import type { TrainingTarget } from '../training-strategy';

/**
 * The {@link TrainingTarget} a training strategy sees of an initialised network or graph: its regularised
 * score as a differentiable function of the trainable parameters, for gradient checks of a layer
 * inside a whole network (`checkGradients((ps) => target.score(batch, true, mapOf(ps)), params)`).
 */
export function networkTarget(network: Model): TrainingTarget {
  const model = modelOf(network);
  if (model === undefined) throw new Dl4tsError('DL4TS_NOT_INITIALISED', 'networkTarget: the network has no built model; call init() first');
  return trainingTarget(model);
}
