// LSTM 2x256 training speed beside tfjs-layers on dl4ts's kernel fixes (see ../lstm-case.ts).
import { runLstmCase } from '../lstm-case';

await runLstmCase('lstm', false);
