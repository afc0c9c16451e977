import * as tf from '@tensorflow/tfjs-core';
import { nativeBackend } from '@dl4ts/backend-native';
import { DataSet, Network, Registry, registerGradients } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
const nb = nativeBackend({}); await nb.activate(); await registerGradients();
const registry=new Registry(); registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
function net(retain){ const d=(i)=>retain?{dropout:i===0?0.8:0.5}:{}; return new Network({seed:1,input:784,defaults:{activation:'sigmoid',weightInit:'xavier',updater:{type:'updaters/nesterovs',learningRate:0.1,momentum:0.9}},
layers:[{type:'layers/dense',nOut:500,...d(0)},{type:'layers/dense',nOut:500,...d(1)},{type:'layers/dense',nOut:2000,...d(2)},{type:'layers/output',nOut:10,activation:'softmax',loss:'mcxent',...d(3)}]},{registry}).init();}
const n=5000; const x=tf.randomUniform([n,784]); const idx=tf.randomUniform([n],0,10,'int32'); const y=tf.oneHot(idx,10).cast('float32');
const d = new DataSet(x,y);
const nets={plain:net(false), dropout:net(true)};
for (const k in nets) await nets[k].fit(d,{epochs:1,batchSize:100});
for (let r=0;r<2;r++) for (const k in nets){ const t=performance.now(); await nets[k].fit(d,{epochs:1,batchSize:100}); console.log(k, 'ms per step', ((performance.now()-t)/50).toFixed(2)); }
if (process.env.PROF) { const p = await tf.profile(()=>nets.dropout.fit(d,{epochs:1,batchSize:100})); const by=new Map(); for(const k of p.kernels){ if(k.name.endsWith('__op')||k.name==='forward') continue; by.set(k.name,(by.get(k.name)??0)+k.kernelTimeMs);} console.log([...by].sort((a,b)=>b[1]-a[1]).slice(0,12).map(([a,b])=>a+' '+(b/50).toFixed(2)).join(', ')); }
