#!/usr/bin/env node
// Checks the converted ONNX model against the original TF.js graph model.
//
// Both models get the same inputs: 224x224 RGB PNGs, pixel/255, NHWC.
// TF.js (pure JS CPU backend) runs the original model.json + weights.bin;
// onnxruntime-node runs the .onnx file. For every photo it compares the pooled
// 1792-d vector, the softmax probabilities and every feature map the ONNX
// model exports, prints a table, and writes a reference JSON (TF.js pooled +
// probs) for the Go tests.
//
// usage: node agreement.js --tfjs <dir with model.json, weights.bin>
//          --onnx <model.onnx> --images <dir of 224x224 PNGs>
//          [--out <tfjs_reference.json>]
// NODE_PATH must point at a node_modules with @tensorflow/tfjs,
// onnxruntime-node and pngjs (agreement.sh sets this up).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error('bad argument ' + argv[i]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['tfjs', 'onnx', 'images']) {
    if (!out[k]) throw new Error('missing --' + k);
  }
  return out;
}

// Maps the ONNX output names to the TF.js node (name suffix) holding the same
// tensor. TF.js tensors are NHWC; ONNX maps are NCHW.
const OUTPUTS = {
  pooled: 'feature_vector/SpatialSqueeze',
  probs: 'Identity',
  conv_last: 'MobilenetV2/Conv_1/Relu6',
  block_5: 'MobilenetV2/expanded_conv_5/add',
  block_9: 'MobilenetV2/expanded_conv_9/add',
  block_12: 'MobilenetV2/expanded_conv_12/add',
  block_15: 'MobilenetV2/expanded_conv_15/add',
};

function readRGB(file, PNG) {
  const png = PNG.sync.read(fs.readFileSync(file));
  if (png.width !== 224 || png.height !== 224) {
    throw new Error(`${file}: ${png.width}x${png.height}, want 224x224`);
  }
  // pngjs always returns RGBA 8-bit.
  const x = new Float32Array(224 * 224 * 3);
  for (let i = 0, j = 0; i < png.data.length; i += 4) {
    x[j++] = png.data[i] / 255;
    x[j++] = png.data[i + 1] / 255;
    x[j++] = png.data[i + 2] / 255;
  }
  return x;
}

function nhwcToNchw(a, h, w, c) {
  const out = new Float32Array(a.length);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let ch = 0; ch < c; ch++) {
        out[(ch * h + y) * w + xx] = a[(y * w + xx) * c + ch];
      }
    }
  }
  return out;
}

function compare(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let dot = 0, na = 0, nb = 0, maxAbs = 0, maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    const d = Math.abs(a[i] - b[i]);
    if (d > maxAbs) maxAbs = d;
    if (Math.abs(a[i]) > maxRef) maxRef = Math.abs(a[i]);
  }
  const cos = (na === 0 && nb === 0) ? 1 : dot / Math.sqrt(na * nb);
  return { cos, maxAbs, maxRef };
}

function argmax(a) {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[k]) k = i;
  return k;
}

const sig6 = (v) => Number(v.toPrecision(6));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = require('@tensorflow/tfjs');
  const ort = require('onnxruntime-node');
  const { PNG } = require('pngjs');
  await tf.setBackend('cpu');
  await tf.ready();

  const modelJson = JSON.parse(fs.readFileSync(path.join(args.tfjs, 'model.json'), 'utf8'));
  const wbuf = fs.readFileSync(path.join(args.tfjs, 'weights.bin'));
  const weightData = wbuf.buffer.slice(wbuf.byteOffset, wbuf.byteOffset + wbuf.length);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: [].concat(...modelJson.weightsManifest.map((g) => g.weights)),
    weightData,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    userDefinedMetadata: modelJson.userDefinedMetadata,
  }));
  const nodeNames = modelJson.modelTopology.node.map((n) => n.name);
  const tfNode = {};
  for (const [o, suffix] of Object.entries(OUTPUTS)) {
    const hit = nodeNames.filter((n) => n === suffix || n.endsWith('/' + suffix));
    if (hit.length !== 1) throw new Error(`TF.js node for ${o}: ${hit.length} matches`);
    tfNode[o] = hit[0];
  }

  const onnxBytes = fs.readFileSync(args.onnx);
  const sha = crypto.createHash('sha256').update(onnxBytes).digest('hex');
  const session = await ort.InferenceSession.create(args.onnx, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });

  const files = fs.readdirSync(args.images).filter((f) => f.endsWith('.png')).sort();
  if (files.length < 8) throw new Error(`only ${files.length} PNGs in ${args.images}`);

  const names = Object.keys(OUTPUTS);
  const rows = [];
  const reference = { model_sha256: sha, photos: [] };
  const inputs = [];
  let worstMap = { cos: 1, rel: 0 };
  for (const f of files) {
    const x = readRGB(path.join(args.images, f), PNG);
    inputs.push(x);
    const t = tf.tensor4d(x, [1, 224, 224, 3]);
    const outs = model.execute(t, names.map((o) => tfNode[o]));
    const tfv = {};
    for (let i = 0; i < names.length; i++) {
      const o = names[i];
      const data = outs[i].dataSync();
      tfv[o] = outs[i].shape.length === 4
        ? nhwcToNchw(data, outs[i].shape[1], outs[i].shape[2], outs[i].shape[3])
        : Float32Array.from(data);
      outs[i].dispose();
    }
    t.dispose();
    const res = await session.run({ input: new ort.Tensor('float32', x, [1, 224, 224, 3]) });
    const cmp = {};
    for (const o of names) cmp[o] = compare(tfv[o], res[o].data);
    let mapCos = 1, mapRel = 0;
    for (const o of ['conv_last', 'block_5', 'block_9', 'block_12', 'block_15']) {
      mapCos = Math.min(mapCos, cmp[o].cos);
      mapRel = Math.max(mapRel, cmp[o].maxAbs / cmp[o].maxRef);
    }
    worstMap = { cos: Math.min(worstMap.cos, mapCos), rel: Math.max(worstMap.rel, mapRel) };
    rows.push({
      name: f,
      cos: cmp.pooled.cos,
      maxAbs: cmp.pooled.maxAbs,
      probsMaxAbs: cmp.probs.maxAbs,
      argTf: argmax(tfv.probs),
      argOnnx: argmax(res.probs.data),
      mapCos,
      mapRel,
    });
    reference.photos.push({
      name: f,
      pooled: Array.from(tfv.pooled, sig6),
      probs: Array.from(tfv.probs, sig6),
    });
  }

  // One batched ORT run must give the same vectors as the single runs.
  const batch = new Float32Array(inputs.length * 224 * 224 * 3);
  inputs.forEach((x, i) => batch.set(x, i * x.length));
  const bres = await session.run({
    input: new ort.Tensor('float32', batch, [inputs.length, 224, 224, 3]),
  });
  let batchCos = 1;
  for (let i = 0; i < inputs.length; i++) {
    const single = reference.photos[i].pooled;
    const b = bres.pooled.data.subarray(i * 1792, (i + 1) * 1792);
    batchCos = Math.min(batchCos, compare(single, b).cos);
  }

  const classes = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];
  console.log(`model ${path.basename(args.onnx)} sha256 ${sha}`);
  console.log('| photo | cosine(pooled) | max abs diff (pooled) | max abs diff (probs) | argmax TF.js / ONNX | worst map cosine | worst map max abs / max |');
  console.log('|---|---|---|---|---|---|---|');
  let minCos = 1, maxAbs = 0, agree = 0;
  for (const r of rows) {
    minCos = Math.min(minCos, r.cos);
    maxAbs = Math.max(maxAbs, r.maxAbs);
    if (r.argTf === r.argOnnx) agree++;
    console.log(`| ${r.name} | ${r.cos.toFixed(9)} | ${r.maxAbs.toExponential(2)} | ` +
      `${r.probsMaxAbs.toExponential(2)} | ${classes[r.argTf]} / ${classes[r.argOnnx]} | ` +
      `${r.mapCos.toFixed(7)} | ${r.mapRel.toExponential(2)} |`);
  }
  console.log(`min cosine(pooled) ${minCos.toFixed(9)}, max abs diff(pooled) ` +
    `${maxAbs.toExponential(2)}, argmax agreement ${agree}/${rows.length}, ` +
    `worst feature-map cosine ${worstMap.cos.toFixed(7)}, ` +
    `batched-vs-single ORT cosine ${batchCos.toFixed(7)}`);

  if (args.out) {
    fs.writeFileSync(args.out, JSON.stringify(reference) + '\n');
    console.log('wrote ' + args.out);
  }
  if (minCos < 0.9999 || agree !== rows.length || worstMap.cos < 0.9999 || batchCos < 0.9999) {
    console.error('AGREEMENT FAILED');
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
