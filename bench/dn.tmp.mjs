import * as tf from '@tensorflow/tfjs-core';
import { nativeBackend } from '@dl4ts/backend-native';
import { Network, Registry, registerGradients } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
const nb = nativeBackend({}); await nb.activate(); await registerGradients();
const registry=new Registry(); registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
const mk = () => new Network({seed:1,input:784,defaults:{activation:'relu',weightInit:'relu',updater:{type:'updaters/nesterovs',learningRate:0.02,momentum:0.9},l2:1e-4},
layers:[{type:'layers/dense',nOut:500},{type:'layers/dense',nOut:250},{type:'layers/output',nOut:10,activation:'softmax',loss:'mcxent',weightInit:'xavier'}]},{registry}).init();
const d = await loadMnist('/work/shared/data/mnist', { split: 'train', scale: true, limit: 3840 });
const fresh = mk(), old = mk();
for (let e=0;e<15;e++) await old.fit(d,{epochs:1,batchSize:128});
for (let r=0;r<4;r++) for (const [name, net, reset] of [['fresh', fresh], ['trained15', old]]) { const t=performance.now(); await net.fit(d,{epochs:1,batchSize:128}); console.log(name, 'ms/step', ((performance.now()-t)/30).toFixed(2)); }
