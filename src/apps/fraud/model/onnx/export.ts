/**
 * Export a trained GBDT artefact as an ONNX model (ai.onnx.ml TreeEnsembleRegressor → Sigmoid), so
 * the model we train can be served by any ONNX runtime — and so the ONNX path is tested against
 * our own scores. Input `features` float [N, FEATURE_COUNT] in the artefact's feature order (NaN =
 * missing), output `probability` float [N, 1]. Thresholds and leaf values become float32, so
 * scores agree with the JSON artefact to about 1e-6 (a value within float32 rounding of a
 * threshold can fall on the other side).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelArtefact } from '../artefact.ts';
import { ProtoWriter } from './protobuf.ts';

// onnx.proto field numbers and enums used below
const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opset: 8,
  metadata: 14,
};
const GRAPH = { node: 1, name: 2, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const ATTR = { name: 1, i: 3, s: 4, floats: 7, ints: 8, strings: 9, type: 20 };
const ATTR_TYPE = { INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 };
const ELEM_FLOAT = 1;
const IR_VERSION = 8;

type Attr =
  | { name: string; int: number }
  | { name: string; string: string }
  | { name: string; ints: number[] }
  | { name: string; floats: number[] }
  | { name: string; strings: string[] };

function writeAttr(w: ProtoWriter, a: Attr): void {
  w.string(ATTR.name, a.name);
  if ('int' in a) w.int(ATTR.i, a.int).int(ATTR.type, ATTR_TYPE.INT);
  else if ('string' in a) w.string(ATTR.s, a.string).int(ATTR.type, ATTR_TYPE.STRING);
  else if ('ints' in a) w.packedInts(ATTR.ints, a.ints).int(ATTR.type, ATTR_TYPE.INTS);
  else if ('floats' in a) w.packedFloats(ATTR.floats, a.floats).int(ATTR.type, ATTR_TYPE.FLOATS);
  else {
    for (const s of a.strings) w.string(ATTR.strings, s);
    w.int(ATTR.type, ATTR_TYPE.STRINGS);
  }
}

function writeTensorInfo(w: ProtoWriter, name: string, dims: (number | string)[]): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, ELEM_FLOAT).message(2, (shape) => {
        for (const d of dims)
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      }),
    ),
  );
}

function writeNode(
  w: ProtoWriter,
  node: { op: string; domain?: string; name: string; inputs: string[]; outputs: string[]; attrs?: Attr[] },
): void {
  for (const i of node.inputs) w.string(NODE.input, i);
  for (const o of node.outputs) w.string(NODE.output, o);
  w.string(NODE.name, node.name).string(NODE.opType, node.op);
  for (const a of node.attrs ?? []) w.message(NODE.attribute, (m) => writeAttr(m, a));
  if (node.domain) w.string(NODE.domain, node.domain);
}

/** The tree ensemble's node and leaf tables in TreeEnsembleRegressor's attribute layout. */
function ensembleAttrs(artefact: ModelArtefact): Attr[] {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const leafTree: number[] = [];
  const leafNode: number[] = [];
  const leafWeight: number[] = [];
  artefact.model.trees.forEach((t, tree) => {
    for (let n = 0; n < t.feature.length; n++) {
      const leaf = t.feature[n] < 0;
      treeIds.push(tree);
      nodeIds.push(n);
      featureIds.push(leaf ? 0 : t.feature[n]);
      // our split: x <= threshold goes left; NaN goes left when missingLeft
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      values.push(leaf ? 0 : t.threshold[n]);
      trueIds.push(leaf ? 0 : t.left[n]);
      falseIds.push(leaf ? 0 : t.right[n]);
      missingTrue.push(!leaf && t.missingLeft[n] ? 1 : 0);
      if (leaf) {
        leafTree.push(tree);
        leafNode.push(n);
        leafWeight.push(t.value[n]);
      }
    }
  });
  return [
    { name: 'aggregate_function', string: 'SUM' },
    { name: 'base_values', floats: [artefact.model.baseScore] },
    { name: 'n_targets', int: 1 },
    { name: 'nodes_treeids', ints: treeIds },
    { name: 'nodes_nodeids', ints: nodeIds },
    { name: 'nodes_featureids', ints: featureIds },
    { name: 'nodes_modes', strings: modes },
    { name: 'nodes_values', floats: values },
    { name: 'nodes_truenodeids', ints: trueIds },
    { name: 'nodes_falsenodeids', ints: falseIds },
    { name: 'nodes_missing_value_tracks_true', ints: missingTrue },
    { name: 'post_transform', string: 'NONE' },
    { name: 'target_treeids', ints: leafTree },
    { name: 'target_nodeids', ints: leafNode },
    { name: 'target_ids', ints: leafTree.map(() => 0) },
    { name: 'target_weights', floats: leafWeight },
  ];
}

/**
 * The artefact as ONNX bytes.
 *
 * @example
 *   writeFileSync('models/sparkov.onnx', gbdtToOnnx(readArtefact('models/sparkov.json')));
 */
export function gbdtToOnnx(artefact: ModelArtefact): Uint8Array {
  const width = artefact.featureNames.length;
  const w = new ProtoWriter();
  w.int(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, 'fraudstream')
    .string(MODEL.producerVersion, String(artefact.formatVersion))
    .string(MODEL.docString, `${artefact.name}@${artefact.createdAt}`)
    .message(MODEL.graph, (g) => {
      g.message(GRAPH.node, (n) =>
        writeNode(n, {
          op: 'TreeEnsembleRegressor',
          domain: 'ai.onnx.ml',
          name: 'trees',
          inputs: ['features'],
          outputs: ['log_odds'],
          attrs: ensembleAttrs(artefact),
        }),
      );
      g.message(GRAPH.node, (n) =>
        writeNode(n, { op: 'Sigmoid', name: 'sigmoid', inputs: ['log_odds'], outputs: ['probability'] }),
      );
      g.string(GRAPH.name, artefact.name);
      g.message(GRAPH.input, (i) => writeTensorInfo(i, 'features', ['N', width]));
      g.message(GRAPH.output, (o) => writeTensorInfo(o, 'probability', ['N', 1]));
    })
    .message(MODEL.opset, (o) => o.string(1, '').int(2, 13))
    .message(MODEL.opset, (o) => o.string(1, 'ai.onnx.ml').int(2, 3));
  const meta: [string, string][] = [
    ['fraudstream.feature_set_version', artefact.featureSetVersion],
    ['fraudstream.feature_names', artefact.featureNames.join(',')],
    ['fraudstream.training_data_sha256', artefact.trainingData.sha256],
  ];
  for (const [key, value] of meta) w.message(MODEL.metadata, (m) => m.string(1, key).string(2, value));
  return w.finish();
}

/** Write `gbdtToOnnx(artefact)` to a file. */
export function saveOnnx(file: string, artefact: ModelArtefact): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, gbdtToOnnx(artefact));
}
