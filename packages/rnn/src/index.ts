export type { BidirectionalMode, BidirectionalOptions } from './bidirectional';
export { Bidirectional, bidirectionalDefinition, reverseSequences, reversalIndices } from './bidirectional';
export type { EmbeddingSequenceOptions } from './embedding-sequence';
export { EmbeddingSequence, embeddingSequenceDefinition } from './embedding-sequence';
export { evalTimeSeries, evaluateSequences } from './evaluate-sequences';
export type { GruOptions } from './gru';
export { Gru, gruDefinition } from './gru';
export { LastTimeStep, lastTimeStepDefinition } from './last-time-step';
export type { LstmOptions } from './lstm';
export { GravesLstm, Lstm, gravesLstmDefinition, lstmDefinition } from './lstm';
export type { RecurrentOptions } from './recurrent-base';
export { RecurrentBase } from './recurrent-base';
export { registerRnn, rnnPlugin } from './register-rnn';
export type { RnnOutputOptions } from './rnn-output';
export { RnnOutput, rnnOutputDefinition } from './rnn-output';
export { RnnStepper } from './rnn-stepper';
export type { SequenceTensors } from './sequence-data-set';
export { SequenceDataSet } from './sequence-data-set';
export { SimpleRnn, simpleRnnDefinition } from './simple-rnn';
export type { TruncatedBpttOptions } from './truncated-bptt';
export { sliceSteps, truncatedBptt, truncatedBpttDefinition } from './truncated-bptt';
export { CharacterCodec } from './character-codec';
export type { LstmSequenceResult } from './lstm-sequence';
export { lstmSequence } from './lstm-sequence';
// Re-exported so that this package's declarations load @dl4ts/layers' (its config types merge into
// core's maps): a project that imports only this package gets the activation, weight initialiser
// and layer keys its register function registers type-checked too.
export type { DenseOptions, OutputOptions } from '@dl4ts/layers';
