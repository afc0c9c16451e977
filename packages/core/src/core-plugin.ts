import { backpropDefinition } from './backprop';
import { identityDefinition, sgdDefinition, xavierDefinition } from './core-defaults';
import { VERTEX_DEFINITIONS } from './graph/vertices';
import type { Plugin } from './registry';

/**
 * Core's own components: the standard backprop strategy, the defaults a config may leave out
 * (identity activation, xavier weights, SGD), and the graph vertices. Every `Registry` holds them.
 */
export const corePlugin: Plugin = { name: '@dl4ts/core', definitions: [backpropDefinition, identityDefinition, xavierDefinition, sgdDefinition, ...VERTEX_DEFINITIONS] };
