export { lossDefinitions } from './losses';
export { lossesPlugin, registerLosses } from './register-losses';
