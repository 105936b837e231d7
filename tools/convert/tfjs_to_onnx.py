#!/usr/bin/python3
"""Convert the nsfwjs MobileNetV2 TF.js graph model to ONNX, op by op.

Written for this project (relview). It handles exactly the op set that the
nsfwjs "mobilenet_v2_mid" graph model uses and refuses anything else:

    Placeholder, Const, Mul, Sub, _FusedConv2D, FusedDepthwiseConv2dNative,
    AddV2, AvgPool, Squeeze, _FusedMatMul, Softmax, Identity

Weights stay 8-bit in the file: every uint8-quantized TF.js weight becomes a
uint8 initializer followed by Cast(double) -> Mul(scale) -> Add(min) ->
Cast(float), which ONNX Runtime constant-folds when it loads the model; the
folded float32 weights are bit-identical to the ones TF.js dequantizes.

Input:  model.json + weights.bin (see extract_nsfwjs.js).
Output: one .onnx file, opset 13.

usage: /usr/bin/python3 tfjs_to_onnx.py <model.json> <weights.bin> <out.onnx>
           [--source TEXT] [--dynamic-hw]

Needs only numpy and onnx (Debian: python3-numpy, python3-onnx).
"""

import argparse
import base64
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CONVERTER_VERSION = "relview-tfjs2onnx 1.0"
OPSET = 13

# Graph outputs beyond the classifier: TF.js node name suffix -> (ONNX name).
# Suffixes are matched against the node name with the long Keras/TF-Hub
# prefix stripped (see short_name).
FEATURE_OUTPUTS = {
    "MobilenetV2/expanded_conv_5/add": "block_5",
    "MobilenetV2/expanded_conv_9/add": "block_9",
    "MobilenetV2/expanded_conv_12/add": "block_12",
    "MobilenetV2/expanded_conv_15/add": "block_15",
    "MobilenetV2/Conv_1/Relu6": "conv_last",
}
POOLED_NODE = "feature_vector/SpatialSqueeze"

NP_DTYPES = {"float32": np.float32, "int32": np.int32}
QUANT_DTYPES = {"uint8": np.uint8, "uint16": np.uint16}


def short_name(name):
    """Drop the Keras/TF-Hub wrapper prefix from a TF.js node name."""
    marker = "/predict/"
    i = name.find(marker)
    if i >= 0:
        return name[i + len(marker):]
    return name


def attr_str(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None or "s" not in a:
        return default
    return base64.b64decode(a["s"]).decode()


def attr_ints(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    lst = a.get("list", {})
    if "i" in lst:
        return [int(x) for x in lst["i"]]
    return default if not lst else []


def attr_strs(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return []
    return [base64.b64decode(x).decode() for x in a.get("list", {}).get("s", [])]


def attr_bool(node, key, default=False):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return bool(a.get("b", False))


class Weight:
    """One TF.js weight: either quantized (q, scale, min) or plain float."""

    def __init__(self, spec, raw):
        self.name = spec["name"]
        self.shape = [int(d) for d in spec["shape"]]
        q = spec.get("quantization")
        if q:
            self.q = np.frombuffer(raw, dtype=QUANT_DTYPES[q["dtype"]]).reshape(self.shape)
            self.scale = float(q["scale"])
            self.min = float(q["min"])
            self.values = None
        else:
            self.q = None
            self.values = np.frombuffer(raw, dtype=NP_DTYPES[spec["dtype"]]).reshape(self.shape)

    def dequantized(self):
        """Float values exactly as TF.js computes them (double math, then f32)."""
        if self.q is None:
            return self.values
        return (self.q.astype(np.float64) * self.scale + self.min).astype(np.float32)


def load_weights(model, weights_path):
    data = open(weights_path, "rb").read()
    weights = {}
    off = 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            n = int(np.prod([int(d) for d in spec["shape"]], dtype=np.int64))
            q = spec.get("quantization")
            if q:
                if q["dtype"] not in QUANT_DTYPES:
                    raise SystemExit("unsupported quantization dtype %r" % q["dtype"])
                size = n * np.dtype(QUANT_DTYPES[q["dtype"]]).itemsize
            else:
                if spec["dtype"] not in NP_DTYPES:
                    raise SystemExit("unsupported weight dtype %r" % spec["dtype"])
                size = n * np.dtype(NP_DTYPES[spec["dtype"]]).itemsize
            weights[spec["name"]] = Weight(spec, data[off:off + size])
            off += size
    if off != len(data):
        raise SystemExit("weights.bin has %d bytes, manifest describes %d" % (len(data), off))
    return weights


class Builder:
    def __init__(self, weights):
        self.weights = weights
        self.nodes = []
        self.inits = []
        self.init_names = set()
        self.counter = 0

    def uniq(self, base):
        self.counter += 1
        return "%s__%d" % (base, self.counter)

    def add_init(self, name, array):
        if name in self.init_names:
            raise SystemExit("duplicate initializer " + name)
        self.init_names.add(name)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, outputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def weight(self, tf_name, perm=None, scalar_const=False):
        """ONNX tensor holding the float value of TF weight tf_name.

        Quantized weights become uint8 initializer -> Cast -> Mul -> Add -> Cast.
        perm transposes the stored (uint8) array first.  scalar_const: emit a
        plain float32 initializer (used for the two input-scaling scalars,
        whose dequantized values are exactly 2 and 1).
        """
        w = self.weights[tf_name]
        base = short_name(tf_name)
        if w.q is None or scalar_const:
            v = w.dequantized()
            if perm is not None:
                v = np.transpose(v, perm)
            return self.add_init(base, v.astype(np.float32))
        q = w.q if perm is None else np.transpose(w.q, perm)
        # Dequantize in float64 and round once to float32: that is exactly
        # what TF.js does (JS number math, then a Float32Array), so the
        # folded weights are bit-identical to the ones TF.js runs with.
        # (All-float32 math here would round twice and move the pooled
        # vector by up to ~3e-4 instead of ~1e-5.)
        qn = self.add_init(base + "/quantized", q)
        sn = self.add_init(base + "/scale", np.array(w.scale, dtype=np.float64))
        mn = self.add_init(base + "/min", np.array(w.min, dtype=np.float64))
        f = self.node("Cast", [qn], [base + "/q_f64"], base + "/dequant_cast", to=TensorProto.DOUBLE)
        f = self.node("Mul", [f, sn], [base + "/scaled"], base + "/dequant_mul")
        f = self.node("Add", [f, mn], [base + "/f64"], base + "/dequant_add")
        return self.node("Cast", [f], [base], base + "/dequant_f32", to=TensorProto.FLOAT)


def div_dim(dim, s):
    """Output size of a SAME-padded stride-s op: ceil(dim/s). Symbolic dims
    ("H", "H/2", ...) keep a readable name."""
    if s == 1:
        return dim
    if isinstance(dim, int):
        return -(-dim // s)
    base, _, d = dim.partition("/")
    return "%s/%d" % (base, int(d or 1) * s)


def same_pads(in_size, k, s, d):
    """TF SAME padding for one spatial dim -> (before, after)."""
    eff = (k - 1) * d + 1
    out = -(-in_size // s)
    total = max((out - 1) * s + eff - in_size, 0)
    return total // 2, total - total // 2


def convert(model, weights, dynamic_hw=False):
    nodes = model["modelTopology"]["node"]
    b = Builder(weights)
    const_names = {n["name"] for n in nodes if n["op"] == "Const"}
    for n in const_names:
        if n not in weights:
            raise SystemExit("Const %s has no weight in the manifest" % n)

    # tensor name (ONNX) produced for each TF node, and its NCHW shape
    # (batch as None; spatial dims as ints, or names like "H/16" when
    # dynamic_hw).
    tensor = {}
    shape = {}
    outputs = []  # (onnx name, shape)

    def out_name(tf_name):
        s = short_name(tf_name)
        return FEATURE_OUTPUTS.get(s, s)

    def inp(tf_name):
        tf_name = tf_name.split(":")[0]
        if tf_name.startswith("^"):
            raise SystemExit("control inputs are not supported")
        return tensor[tf_name]

    for n in nodes:
        op = n["op"]
        name = n["name"]
        sname = short_name(name)
        ins = [i for i in n.get("input", []) if not i.startswith("^")]
        if op == "Const":
            continue
        if op == "Placeholder":
            dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
            if len(dims) != 4 or dims[3] != 3:
                raise SystemExit("unexpected input shape %r" % dims)
            h, w = ("H", "W") if dynamic_hw else (dims[1], dims[2])
            b.graph_input = helper.make_tensor_value_info(
                "input", TensorProto.FLOAT, ["N", h, w, 3])
            # NHWC -> NCHW once, at the top.
            tensor[name] = b.node("Transpose", ["input"], ["input_nchw"], "input_to_nchw",
                                  perm=[0, 3, 1, 2])
            shape[name] = [None, 3, h, w]
        elif op in ("Mul", "Sub", "AddV2"):
            a, c = ins
            onnx_op = {"Mul": "Mul", "Sub": "Sub", "AddV2": "Add"}[op]
            args = []
            shp = None
            for x in (a, c):
                x = x.split(":")[0]
                if x in const_names:
                    if weights[x].shape != []:
                        raise SystemExit("%s: only scalar constants supported" % name)
                    args.append(b.weight(x, scalar_const=True))
                else:
                    args.append(inp(x))
                    shp = shape[x]
            if shp is None:
                raise SystemExit("%s: constant-only op" % name)
            tensor[name] = b.node(onnx_op, args, [out_name(name)], sname)
            shape[name] = shp
        elif op in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            if attr_str(n, "data_format", "NHWC") != "NHWC":
                raise SystemExit("%s: only NHWC supported" % name)
            x, wname = ins[0], ins[1]
            fused = attr_strs(n, "fused_ops")
            if not fused or fused[0] != "BiasAdd" or len(ins) != 3:
                raise SystemExit("%s: expected fused BiasAdd, got %r" % (name, fused))
            act = fused[1:]
            if act not in ([], ["Relu"], ["Relu6"]):
                raise SystemExit("%s: unsupported fused ops %r" % (name, fused))
            strides = attr_ints(n, "strides", [1, 1, 1, 1])
            dil = attr_ints(n, "dilations", [1, 1, 1, 1])
            padding = attr_str(n, "padding")
            wt = weights[wname]
            kh, kw = wt.shape[0], wt.shape[1]
            if op == "_FusedConv2D":
                perm = (3, 2, 0, 1)  # HWIO -> OIHW
                cout = wt.shape[3]
                group = 1
            else:
                if wt.shape[3] != 1:
                    raise SystemExit("%s: depth multiplier %d unsupported" % (name, wt.shape[3]))
                perm = (2, 3, 0, 1)  # H W C 1 -> C 1 H W
                cout = wt.shape[2]
                group = wt.shape[2]
            W = b.weight(wname, perm=perm)
            B = b.weight(ins[2])
            ish = shape[x.split(":")[0]]
            attrs = dict(kernel_shape=[kh, kw], strides=strides[1:3], dilations=dil[1:3],
                         group=group)
            if padding == "SAME":
                if dynamic_hw:
                    # SAME_UPPER puts the odd pixel at the end, as TF does.
                    attrs["auto_pad"] = "SAME_UPPER"
                else:
                    ph = same_pads(ish[2], kh, strides[1], dil[1])
                    pw = same_pads(ish[3], kw, strides[2], dil[2])
                    attrs["pads"] = [ph[0], pw[0], ph[1], pw[1]]
                oh = div_dim(ish[2], strides[1])
                ow = div_dim(ish[3], strides[2])
            elif padding == "VALID":
                if dynamic_hw and (kh, kw) != (1, 1):
                    raise SystemExit("%s: VALID conv with --dynamic-hw unsupported" % name)
                attrs["pads"] = [0, 0, 0, 0]
                oh = ish[2] if dynamic_hw else (ish[2] - (kh - 1) * dil[1] - 1) // strides[1] + 1
                ow = ish[3] if dynamic_hw else (ish[3] - (kw - 1) * dil[2] - 1) // strides[2] + 1
            else:
                raise SystemExit("%s: padding %r unsupported" % (name, padding))
            final = out_name(name)
            conv_out = final if not act else sname + "/conv"
            y = b.node("Conv", [inp(x), W, B], [conv_out], sname + "/conv", **attrs)
            if act == ["Relu6"]:
                lo = "relu6/min"
                hi = "relu6/max"
                if lo not in b.init_names:
                    b.add_init(lo, np.array(0.0, dtype=np.float32))
                    b.add_init(hi, np.array(6.0, dtype=np.float32))
                y = b.node("Clip", [y, lo, hi], [final], sname)
            elif act == ["Relu"]:
                y = b.node("Relu", [y], [final], sname)
            tensor[name] = y
            shape[name] = [None, cout, oh, ow]
        elif op == "AvgPool":
            if attr_str(n, "data_format", "NHWC") != "NHWC":
                raise SystemExit("%s: only NHWC supported" % name)
            k = attr_ints(n, "ksize")
            s = attr_ints(n, "strides")
            x = ins[0].split(":")[0]
            ish = shape[x]
            if attr_str(n, "padding") != "VALID":
                raise SystemExit("%s: only VALID AvgPool supported" % name)
            if dynamic_hw:
                # The 7x7 VALID pool over the final 7x7 map is a global mean.
                y = b.node("GlobalAveragePool", [inp(x)], [sname], sname)
                oh = ow = 1
            else:
                y = b.node("AveragePool", [inp(x)], [sname], sname,
                           kernel_shape=k[1:3], strides=s[1:3], pads=[0, 0, 0, 0])
                oh = (ish[2] - k[1]) // s[1] + 1
                ow = (ish[3] - k[2]) // s[2] + 1
            tensor[name] = y
            shape[name] = [None, ish[1], oh, ow]
        elif op == "Squeeze":
            dims = attr_ints(n, "squeeze_dims")
            if sorted(dims) != [1, 2]:
                raise SystemExit("%s: squeeze dims %r unsupported" % (name, dims))
            x = ins[0].split(":")[0]
            if shape[x][2:] != [1, 1]:
                raise SystemExit("%s: squeezing a non-1x1 map %r" % (name, shape[x]))
            # NHWC squeeze of H,W == NCHW flatten of C,1,1.
            oname = "pooled" if sname == POOLED_NODE else sname
            tensor[name] = b.node("Flatten", [inp(x)], [oname], sname, axis=1)
            shape[name] = [None, shape[x][1]]
        elif op == "_FusedMatMul":
            if attr_bool(n, "transpose_a"):
                raise SystemExit("%s: transpose_a unsupported" % name)
            fused = attr_strs(n, "fused_ops")
            if fused != ["BiasAdd"]:
                raise SystemExit("%s: fused ops %r unsupported" % (name, fused))
            x, wname, bname = ins
            W = b.weight(wname)
            B = b.weight(bname)
            transb = 1 if attr_bool(n, "transpose_b") else 0
            wt = weights[wname]
            tensor[name] = b.node("Gemm", [inp(x), W, B], [sname], sname, transB=transb)
            shape[name] = [None, wt.shape[0] if transb else wt.shape[1]]
        elif op == "Softmax":
            x = ins[0].split(":")[0]
            tensor[name] = b.node("Softmax", [inp(x)], ["probs"], sname, axis=-1)
            shape[name] = shape[x]
        elif op == "Identity":
            # The graph's final Identity only renames; keep the tensor.
            x = ins[0].split(":")[0]
            tensor[name] = tensor[x]
            shape[name] = shape[x]
        else:
            raise SystemExit("unsupported op %s (%s)" % (op, name))

    want = ["pooled", "probs", "conv_last", "block_5", "block_9", "block_12", "block_15"]
    by_onnx = {}
    for tf_name, t in tensor.items():
        by_onnx.setdefault(t, shape[tf_name])
    for o in want:
        if o not in by_onnx:
            raise SystemExit("output %s was not produced" % o)
        dims = ["N"] + by_onnx[o][1:]
        outputs.append(helper.make_tensor_value_info(o, TensorProto.FLOAT, dims))

    graph = helper.make_graph(b.nodes, "mobilenet_v2_140_224", [b.graph_input], outputs,
                              initializer=b.inits)
    return graph


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_json")
    ap.add_argument("weights_bin")
    ap.add_argument("out_onnx")
    ap.add_argument("--source", default="nsfwjs@4.4.0 dist/models/mobilenet_v2_mid")
    ap.add_argument("--dynamic-hw", action="store_true",
                    help="symbolic input height/width (auto_pad SAME_UPPER, global pool)")
    args = ap.parse_args()

    model = json.load(open(args.model_json))
    if model.get("format") != "graph-model":
        raise SystemExit("not a TF.js graph model")
    weights = load_weights(model, args.weights_bin)
    graph = convert(model, weights, dynamic_hw=args.dynamic_hw)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="relview tools/convert/tfjs_to_onnx.py",
                          producer_version=CONVERTER_VERSION.split()[-1])
    m.ir_version = 8
    size = "224x224, input any HxW" if args.dynamic_hw else "224x224"
    m.doc_string = ("MobileNetV2 (width 1.4, %s) from %s, converted op by op. "
                    "Input: float32 NHWC RGB in 0..1. Outputs: pooled, probs, conv_last, "
                    "block_5, block_9, block_12, block_15 (NCHW maps)." % (size, args.source))
    meta = [
        ("source", args.source),
        ("source_format", "TF.js graph model (%s), uint8-quantized weights"
         % model.get("convertedBy", "?")),
        ("licence", "nsfwjs fine-tuning: MIT, Copyright (c) Infinite Red, Inc. "
         "(LICENSE-nsfwjs.txt); MobileNetV2 backbone: Apache-2.0, TensorFlow authors "
         "(TF-Hub MobileNetV2 1.40 224). See NOTICE.md."),
        ("converter", CONVERTER_VERSION),
        ("input", "input: float32 [N,%s,3] NHWC RGB in 0..1"
         % ("H,W" if args.dynamic_hw else "224,224")),
        ("classes", "Drawing,Hentai,Neutral,Porn,Sexy"),
    ]
    helper.set_model_props(m, dict(meta))
    onnx.checker.check_model(m)
    inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    for vi in inferred.graph.output:
        dims = [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
        print("output %-10s %s" % (vi.name, dims), file=sys.stderr)
    data = m.SerializeToString(deterministic=True)
    with open(args.out_onnx, "wb") as f:
        f.write(data)
    print("wrote %s (%d bytes, %d nodes, %d initializers)"
          % (args.out_onnx, len(data), len(graph.node), len(graph.initializer)), file=sys.stderr)


if __name__ == "__main__":
    main()
