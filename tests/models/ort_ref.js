#!/usr/bin/env node
// Reference outputs from ONNX Runtime (npm onnxruntime-node, CPU execution provider).
//
//   node ort_ref.js MODEL.onnx CASE_DIR [--out DIR]
//
// Feeds CASE_DIR/inputs/<input-name>.npy to the model and writes each output as
// <output-name>.npy (names sanitized like `kiln run --output-dir`) into DIR (default
// CASE_DIR/expected), plus DIR/reference.txt naming the reference. Graph optimizations are
// disabled and one thread is used, so ORT evaluates the graph op by op as written.
'use strict';
const fs = require('fs');
const path = require('path');

const ortDir = process.env.KILN_ORT_DIR ||
  path.resolve(__dirname, '..', '..', 'models', 'npm', 'node_modules', 'onnxruntime-node');
const ort = require(ortDir);

const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array], '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array], '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const t = NPY_TYPES[descr];
  if (!t) throw new Error(`${file}: dtype ${descr} not supported`);
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = buf.subarray(start + hlen, start + hlen + n * t[1].BYTES_PER_ELEMENT);
  const data = new t[1](n);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(t[0], t[0] === 'bool' ? Uint8Array.from(data) : data, shape);
}

function writeNpy(file, tensor) {
  const descr = Object.keys(NPY_TYPES).find((k) => NPY_TYPES[k][0] === tensor.type);
  if (!descr) throw new Error(`output type ${tensor.type} cannot be written as .npy`);
  const dims = tensor.dims.map(String);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const safeName = (s) => (s.replace(/[^A-Za-z0-9._-]/g, '_') || 'output');

async function main() {
  const args = process.argv.slice(2);
  let out = null;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else pos.push(args[i]);
  }
  if (pos.length !== 2) throw new Error('usage: node ort_ref.js MODEL.onnx CASE_DIR [--out DIR]');
  const [model, caseDir] = pos;
  out = out || path.join(caseDir, 'expected');
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled', executionMode: 'sequential',
  });
  const feeds = {};
  for (const name of session.inputNames) {
    const file = path.join(caseDir, 'inputs', safeName(name) + '.npy');
    if (!fs.existsSync(file)) throw new Error(`missing input ${file}`);
    feeds[name] = readNpy(file);
  }
  const t0 = process.hrtime.bigint();
  const results = await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.mkdirSync(out, { recursive: true });
  for (const name of session.outputNames) {
    writeNpy(path.join(out, safeName(name) + '.npy'), results[name]);
    console.log(`ort: ${name} [${results[name].dims.join('x')}] -> ${path.join(out, safeName(name) + '.npy')}`);
  }
  const ver = ort.env.versions.common;
  fs.writeFileSync(path.join(out, 'reference.txt'),
    `ONNX Runtime ${ver} (npm onnxruntime-node, CPU EP, graph optimizations disabled, 1 thread)\n`);
  console.log(`ort: ${path.basename(model)} ran in ${ms.toFixed(1)} ms (ONNX Runtime ${ver})`);
  await session.release();
}

main().catch((e) => { console.error(`ort_ref: ${e.message || e}`); process.exit(1); });
