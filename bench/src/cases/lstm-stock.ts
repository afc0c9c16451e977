// LSTM 2x256 training speed beside tfjs-layers on tfjs-backend-wasm's stock kernels (see ../lstm-case.ts).
import { runLstmCase } from '../lstm-case';

await runLstmCase('lstm-stock', true);
