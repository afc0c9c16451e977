export { cpuBackend } from './cpu-backend';
