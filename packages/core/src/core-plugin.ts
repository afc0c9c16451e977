import { backpropDefinition } from './backprop';
import type { Plugin } from './registry';

/** Core's own components: the standard backprop training strategy. Every `Registry` holds them. */
export const corePlugin: Plugin = { name: '@dl4ts/core', definitions: [backpropDefinition] };
