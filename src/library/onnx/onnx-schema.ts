// The part of ONNX's onnx.proto the exporter writes (and the tests read back), as a protobufjs
// descriptor: the field numbers are onnx.proto's, so any ONNX runtime reads the bytes. Only what a
// plain feed-forward graph needs: model, graph, nodes, attributes, tensors and typed values.
import protobuf from 'protobufjs/light.js';

const f = (type: string, id: number, rule?: 'repeated') =>
  rule === undefined ? { type, id } : { type, id, rule };

const ONNX_SUBSET = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: f('int64', 1),
            producerName: f('string', 2),
            producerVersion: f('string', 3),
            domain: f('string', 4),
            modelVersion: f('int64', 5),
            docString: f('string', 6),
            graph: f('GraphProto', 7),
            opsetImport: f('OperatorSetIdProto', 8, 'repeated'),
            metadataProps: f('StringStringEntryProto', 14, 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        GraphProto: {
          fields: {
            node: f('NodeProto', 1, 'repeated'),
            name: f('string', 2),
            initializer: f('TensorProto', 5, 'repeated'),
            docString: f('string', 10),
            input: f('ValueInfoProto', 11, 'repeated'),
            output: f('ValueInfoProto', 12, 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: f('string', 1, 'repeated'),
            output: f('string', 2, 'repeated'),
            name: f('string', 3),
            opType: f('string', 4),
            attribute: f('AttributeProto', 5, 'repeated'),
            docString: f('string', 6),
          },
        },
        AttributeProto: {
          fields: {
            name: f('string', 1),
            f: f('float', 2),
            i: f('int64', 3),
            ints: f('int64', 8, 'repeated'),
            type: f('int32', 20),
          },
        },
        TensorProto: {
          fields: {
            dims: f('int64', 1, 'repeated'),
            dataType: f('int32', 2),
            name: f('string', 8),
            rawData: f('bytes', 9),
          },
        },
        ValueInfoProto: {
          fields: { name: f('string', 1), type: f('TypeProto', 2), docString: f('string', 3) },
        },
        TypeProto: {
          fields: { tensorType: f('TypeProtoTensor', 1) },
        },
        TypeProtoTensor: {
          fields: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) },
        },
        TensorShapeProto: { fields: { dim: f('Dimension', 1, 'repeated') } },
        Dimension: { fields: { dimValue: f('int64', 1), dimParam: f('string', 2) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_SUBSET);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** onnx.proto's enums, the values used here. */
export const ELEM_FLOAT = 1;
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_INTS = 7;

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}
export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
export interface OnnxValueInfo {
  name: string;
  docString: string;
  type: {
    tensorType: {
      elemType: number;
      shape: { dim: ({ dimValue: number } | { dimParam: string })[] };
    };
  };
}
export interface OnnxGraph {
  name: string;
  docString: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  opsetImport: { domain: string; version: number }[];
  graph: OnnxGraph;
  metadataProps: { key: string; value: string }[];
}

/** The model's bytes, checked against the descriptor first (a wrong field type throws here). */
export function encodeModel(model: OnnxModel): Uint8Array {
  const problem = ModelProto.verify(model);
  if (problem !== null) throw new Error(`the ONNX model is malformed: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Reads bytes back as plain data (int64s as numbers, bytes as Uint8Array): for checks and tests. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const message = ModelProto.decode(bytes);
  return ModelProto.toObject(message, { longs: Number, defaults: true }) as OnnxModel;
}
