package onnxproto

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestGoldenBytes checks the wire encoding of a tiny model byte by byte,
// against an encoding worked out by hand from onnx.proto's field numbers.
func TestGoldenBytes(t *testing.T) {
	m := &Model{
		IRVersion: 8,
		Opset:     13,
		Graph: Graph{
			Name:    "g",
			Nodes:   []Node{{Op: "Relu", Inputs: []string{"x"}, Outputs: []string{"y"}}},
			Inputs:  []ValueInfo{TensorInfo("x", Float, Sym("N"))},
			Outputs: []ValueInfo{TensorInfo("y", Float, Sym("N"))},
		},
	}
	want := strings.Join([]string{
		"0808", // ModelProto.ir_version (1, varint) = 8
		"3a35", // ModelProto.graph (7, bytes), 53 bytes
		/**/ "0a0c", // GraphProto.node (1), 12 bytes
		/*    */ "0a0178", // NodeProto.input (1) "x"
		/*    */ "120179", // NodeProto.output (2) "y"
		/*    */ "220452656c75", // NodeProto.op_type (4) "Relu"
		/**/ "120167", // GraphProto.name (2) "g"
		/**/ "5a10", // GraphProto.input (11), 16 bytes
		/*    */ "0a0178", // ValueInfoProto.name (1) "x"
		/*    */ "120b", // ValueInfoProto.type (2), 11 bytes
		/*      */ "0a09", // TypeProto.tensor_type (1), 9 bytes
		/*        */ "0801", // TypeProto.Tensor.elem_type (1) = FLOAT
		/*        */ "1205", // TypeProto.Tensor.shape (2), 5 bytes
		/*          */ "0a03", // TensorShapeProto.dim (1), 3 bytes
		/*            */ "12014e", // Dimension.dim_param (2) "N"
		/**/ "6210", // GraphProto.output (12), 16 bytes
		/*    */ "0a0179120b0a0908011205" + "0a0312014e",
		"4202", // ModelProto.opset_import (8), 2 bytes
		/**/ "100d", // OperatorSetIdProto.version (2) = 13
	}, "")
	got := hex.EncodeToString(m.MustMarshal())
	if got != want {
		t.Fatalf("encoding mismatch\n got %s\nwant %s", got, want)
	}
}

// field is one decoded protobuf field.
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64 // varint / fixed32 / fixed64
	b   []byte // bytes
}

func decode(t *testing.T, b []byte) []field {
	t.Helper()
	var out []field
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.v = uint64(v)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		default:
			t.Fatalf("unexpected wire type %d", typ)
		}
		if n < 0 {
			t.Fatalf("bad field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		out = append(out, f)
	}
	return out
}

func pick(fs []field, num protowire.Number) []field {
	var out []field
	for _, f := range fs {
		if f.num == num {
			out = append(out, f)
		}
	}
	return out
}

func TestAttributeEncoding(t *testing.T) {
	tensor := FloatTensor("c", []int64{2}, []float32{1.5, -2})
	cases := []struct {
		attr  Attr
		check func(t *testing.T, fs []field)
	}{
		{AttrInt("axis", -1), func(t *testing.T, fs []field) {
			i := pick(fs, 3)
			if len(i) != 1 || int64(i[0].v) != -1 || i[0].typ != protowire.VarintType {
				t.Fatalf("i = %+v", i)
			}
		}},
		{AttrFloat("alpha", 0.25), func(t *testing.T, fs []field) {
			f := pick(fs, 2)
			if len(f) != 1 || f[0].typ != protowire.Fixed32Type || math.Float32frombits(uint32(f[0].v)) != 0.25 {
				t.Fatalf("f = %+v", f)
			}
		}},
		{AttrString("mode", "nearest"), func(t *testing.T, fs []field) {
			s := pick(fs, 4)
			if len(s) != 1 || string(s[0].b) != "nearest" {
				t.Fatalf("s = %+v", s)
			}
		}},
		{AttrInts("perm", 0, 3, 1, 2), func(t *testing.T, fs []field) {
			var got []int64
			for _, f := range pick(fs, 8) {
				got = append(got, int64(f.v))
			}
			if len(got) != 4 || got[0] != 0 || got[1] != 3 || got[2] != 1 || got[3] != 2 {
				t.Fatalf("ints = %v", got)
			}
		}},
		{AttrFloats("scales", 1, 2.5), func(t *testing.T, fs []field) {
			f := pick(fs, 7)
			if len(f) != 2 || math.Float32frombits(uint32(f[1].v)) != 2.5 {
				t.Fatalf("floats = %+v", f)
			}
		}},
		{AttrStrings("names", "a", "bc"), func(t *testing.T, fs []field) {
			f := pick(fs, 9)
			if len(f) != 2 || string(f[1].b) != "bc" {
				t.Fatalf("strings = %+v", f)
			}
		}},
		{AttrTensor("value", tensor), func(t *testing.T, fs []field) {
			f := pick(fs, 5)
			if len(f) != 1 || !bytes.Equal(f[0].b, tensor.appendTo(nil)) {
				t.Fatalf("t = %+v", f)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.attr.Name, func(t *testing.T) {
			fs := decode(t, c.attr.appendTo(nil))
			if n := pick(fs, 1); len(n) != 1 || string(n[0].b) != c.attr.Name {
				t.Fatalf("name = %+v", n)
			}
			if ty := pick(fs, 20); len(ty) != 1 || AttrType(ty[0].v) != c.attr.Type {
				t.Fatalf("type = %+v", ty)
			}
			c.check(t, fs)
		})
	}
}

func TestTensorEncoding(t *testing.T) {
	cases := []struct {
		t    Tensor
		typ  DataType
		want []byte
	}{
		{FloatTensor("f", []int64{2, 1}, []float32{1, -2}), Float, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}},
		{Int64Tensor("i", []int64{2}, []int64{-1, 258}), Int64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 1, 0, 0, 0, 0, 0, 0}},
		{Int32Tensor("j", []int64{1}, []int32{-2}), Int32, []byte{0xfe, 0xff, 0xff, 0xff}},
		{Uint8Tensor("u", []int64{3}, []uint8{1, 2, 255}), Uint8, []byte{1, 2, 255}},
		{FloatTensor("s", nil, []float32{0.5}), Float, []byte{0, 0, 0, 0x3f}},
	}
	for _, c := range cases {
		fs := decode(t, c.t.appendTo(nil))
		var dims []int64
		for _, f := range pick(fs, 1) {
			dims = append(dims, int64(f.v))
		}
		if len(dims) != len(c.t.Dims) {
			t.Errorf("%s: dims %v, want %v", c.t.Name, dims, c.t.Dims)
		}
		if dt := pick(fs, 2); len(dt) != 1 || DataType(dt[0].v) != c.typ {
			t.Errorf("%s: data_type %+v", c.t.Name, dt)
		}
		if n := pick(fs, 8); len(n) != 1 || string(n[0].b) != c.t.Name {
			t.Errorf("%s: name %+v", c.t.Name, n)
		}
		if r := pick(fs, 9); len(r) != 1 || !bytes.Equal(r[0].b, c.want) {
			t.Errorf("%s: raw_data %+v, want %x", c.t.Name, r, c.want)
		}
	}
}

func TestTensorLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("expected panic")
		}
	}()
	FloatTensor("bad", []int64{2, 2}, []float32{1, 2, 3})
}

func TestShapeAndMetadataEncoding(t *testing.T) {
	m := &Model{
		Producer:    "p",
		ProducerVer: "1.0",
		ExtraOpsets: []OpsetID{{Domain: "com.microsoft", Version: 1}},
		Metadata:    map[string]string{"zeta": "1", "alpha": "2", "mid": "3"},
		Graph: Graph{
			Nodes: []Node{{Op: "Identity", Domain: "", Name: "id", Inputs: []string{"x"}, Outputs: []string{"y"}}},
			Inputs: []ValueInfo{
				TensorInfo("x", Uint8, Sym("batch"), D(0), D(7), UnknownDim()),
			},
			Outputs: []ValueInfo{{Name: "y", Elem: Uint8, NoShape: true}},
		},
	}
	b := m.MustMarshal()
	if !bytes.Equal(b, m.MustMarshal()) {
		t.Fatal("marshal is not deterministic")
	}
	fs := decode(t, b)
	if ir := pick(fs, 1); len(ir) != 1 || ir[0].v != uint64(DefaultIRVersion) {
		t.Errorf("ir_version %+v", ir)
	}
	if p := pick(fs, 2); len(p) != 1 || string(p[0].b) != "p" {
		t.Errorf("producer_name %+v", p)
	}
	if p := pick(fs, 3); len(p) != 1 || string(p[0].b) != "1.0" {
		t.Errorf("producer_version %+v", p)
	}
	ops := pick(fs, 8)
	if len(ops) != 2 {
		t.Fatalf("opset_import %+v", ops)
	}
	o0, o1 := decode(t, ops[0].b), decode(t, ops[1].b)
	if len(pick(o0, 1)) != 0 || pick(o0, 2)[0].v != uint64(DefaultOpset) {
		t.Errorf("default opset %+v", o0)
	}
	if string(pick(o1, 1)[0].b) != "com.microsoft" || pick(o1, 2)[0].v != 1 {
		t.Errorf("extra opset %+v", o1)
	}
	var keys []string
	for _, e := range pick(fs, 14) {
		ef := decode(t, e.b)
		keys = append(keys, string(pick(ef, 1)[0].b)+"="+string(pick(ef, 2)[0].b))
	}
	if strings.Join(keys, ",") != "alpha=2,mid=3,zeta=1" {
		t.Errorf("metadata_props %v", keys)
	}

	g := decode(t, pick(fs, 7)[0].b)
	in := decode(t, pick(g, 11)[0].b)
	tt := decode(t, pick(decode(t, pick(in, 2)[0].b), 1)[0].b)
	if pick(tt, 1)[0].v != uint64(Uint8) {
		t.Errorf("elem_type %+v", tt)
	}
	var dims []string
	for _, d := range pick(decode(t, pick(tt, 2)[0].b), 1) {
		df := decode(t, d.b)
		switch {
		case len(df) == 0:
			dims = append(dims, "?")
		case df[0].num == 1:
			dims = append(dims, string(rune('0'+df[0].v)))
		case df[0].num == 2:
			dims = append(dims, string(df[0].b))
		}
	}
	if strings.Join(dims, ",") != "batch,0,7,?" {
		t.Errorf("dims %v", dims)
	}
	out := decode(t, pick(g, 12)[0].b)
	ot := decode(t, pick(decode(t, pick(out, 2)[0].b), 1)[0].b)
	if len(pick(ot, 2)) != 0 {
		t.Errorf("NoShape output still has a shape: %+v", ot)
	}
}

func TestValidation(t *testing.T) {
	ok := func() *Model {
		return &Model{Graph: Graph{
			Nodes:   []Node{{Op: "Relu", Inputs: []string{"x"}, Outputs: []string{"y"}}},
			Inputs:  []ValueInfo{TensorInfo("x", Float, D(1))},
			Outputs: []ValueInfo{TensorInfo("y", Float, D(1))},
		}}
	}
	if _, err := ok().Marshal(); err != nil {
		t.Fatalf("valid model rejected: %v", err)
	}
	bad := map[string]func(m *Model){
		"no outputs":   func(m *Model) { m.Graph.Outputs = nil },
		"no op":        func(m *Model) { m.Graph.Nodes[0].Op = "" },
		"node outputs": func(m *Model) { m.Graph.Nodes[0].Outputs = nil },
		"elem type":    func(m *Model) { m.Graph.Inputs[0].Elem = Undefined },
		"raw length": func(m *Model) {
			m.Graph.Initializers = []Tensor{{Name: "w", Dims: []int64{2}, Type: Float, Raw: make([]byte, 4)}}
		},
		"unnamed init": func(m *Model) { m.Graph.Initializers = []Tensor{FloatTensor("", []int64{1}, []float32{1})} },
		"attr type":    func(m *Model) { m.Graph.Nodes[0].Attrs = []Attr{{Name: "a"}} },
		"nil attr tensor": func(m *Model) {
			m.Graph.Nodes[0].Attrs = []Attr{{Name: "value", Type: AttrTypeTensor}}
		},
	}
	for name, mutate := range bad {
		m := ok()
		mutate(m)
		if _, err := m.Marshal(); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}

func TestImageEmbedderSpec(t *testing.T) {
	if _, err := (ImageEmbedderSpec{Size: 30, OutDim: 4}).Model(); err == nil {
		t.Error("size not a multiple of grid accepted")
	}
	if _, err := (ImageEmbedderSpec{Size: 8}).Model(); err == nil {
		t.Error("zero OutDim accepted")
	}
	s := ImageEmbedderSpec{Size: 8, OutDim: 5, Seed: 7}
	w1, b1 := s.Weights()
	w2, b2 := s.Weights()
	if len(w1) != 48*5 || len(b1) != 5 || w1[17] != w2[17] || b1[3] != b2[3] {
		t.Fatal("weights are not deterministic / sized")
	}
	w3, _ := ImageEmbedderSpec{Size: 8, OutDim: 5, Seed: 8}.Weights()
	if w3[0] == w1[0] && w3[1] == w1[1] {
		t.Error("seed does not change weights")
	}
	// Different images give different embeddings; identical ones match.
	imgs := make([]float32, 3*3*8*8)
	for i := range imgs[:3*8*8] {
		imgs[i] = float32(i%13) / 13
	}
	copy(imgs[2*3*8*8:], imgs[:3*8*8])
	out, err := s.Reference(imgs, 3)
	if err != nil {
		t.Fatal(err)
	}
	same, diff := true, false
	for o := 0; o < 5; o++ {
		same = same && out[o] == out[10+o]
		diff = diff || out[o] != out[5+o]
	}
	if !same || !diff {
		t.Errorf("reference embeddings: %v", out)
	}
	if _, err := s.Reference(imgs[:10], 3); err == nil {
		t.Error("wrong image length accepted")
	}
	// The shorthand builds the same model as the equivalent spec.
	a := ImageEmbedder("in", "out", false, 8, 5, 7).MustMarshal()
	m, _ := ImageEmbedderSpec{InputName: "in", OutputName: "out", NHWC: true, Size: 8, OutDim: 5, Seed: 7}.Model()
	if !bytes.Equal(a, m.MustMarshal()) {
		t.Error("ImageEmbedder shorthand differs from spec")
	}
}
