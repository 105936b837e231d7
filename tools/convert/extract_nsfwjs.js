#!/usr/bin/env node
// Extracts the TF.js graph model shipped inside the nsfwjs npm package
// (dist/models/mobilenet_v2_mid) into plain model.json + weights.bin.
//
// The package stores the model as JavaScript modules: model.min.js exports
// the model.json object, group1-shardNofM.min.js export the weight shards as
// base64 strings. The shards are concatenated in order (as listed in
// weightsManifest[].paths) into a single weights.bin.
//
// usage: node extract_nsfwjs.js <package-dir> <out-dir>
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

// Evaluates one of the package's UMD modules in an empty sandbox and returns
// its module.exports (independent of the package's "type" field, and without
// giving the code access to require, process or the file system).
function loadUMD(file) {
  const sandbox = { module: { exports: {} } };
  sandbox.exports = sandbox.module.exports;
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), sandbox, { filename: file });
  return sandbox.module.exports;
}

function main() {
  const [pkgDir, outDir] = process.argv.slice(2);
  if (!pkgDir || !outDir) {
    console.error('usage: node extract_nsfwjs.js <package-dir> <out-dir>');
    process.exit(2);
  }
  const modelDir = path.resolve(pkgDir, 'dist', 'models', 'mobilenet_v2_mid');
  const model = loadUMD(path.join(modelDir, 'model.min.js'));
  if (!model || !model.modelTopology || !model.weightsManifest) {
    throw new Error('model.min.js did not export a TF.js model.json object');
  }
  const buffers = [];
  const paths = [];
  for (const group of model.weightsManifest) {
    for (const p of group.paths) {
      // model.json names the shards "group1-shard1of2" etc.; the package ships
      // them as "<name>.min.js".
      const file = path.join(modelDir, path.basename(p) + '.min.js');
      const b64 = loadUMD(file);
      if (typeof b64 !== 'string') throw new Error(file + ' did not export a string');
      buffers.push(Buffer.from(b64, 'base64'));
      paths.push(path.basename(file));
    }
  }
  const weights = Buffer.concat(buffers);
  fs.mkdirSync(outDir, { recursive: true });
  // Rewrite the manifest to point at the single concatenated file.
  const out = Object.assign({}, model);
  out.weightsManifest = [{
    paths: ['weights.bin'],
    weights: [].concat(...model.weightsManifest.map((g) => g.weights)),
  }];
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(out));
  fs.writeFileSync(path.join(outDir, 'weights.bin'), weights);
  console.error(`extract: ${paths.join(' + ')} -> weights.bin (${weights.length} bytes), ` +
    `${out.modelTopology.node.length} nodes, ${out.weightsManifest[0].weights.length} weight tensors`);
}

main();
