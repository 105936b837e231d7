// Package onnxproto is a minimal, dependency-light writer for ONNX models.
//
// It serialises a small subset of onnx.proto (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.Tensor,
// TensorShapeProto, OperatorSetIdProto, StringStringEntryProto) directly with
// google.golang.org/protobuf/encoding/protowire, without generated code.
//
// It exists so that tests can build small, real ONNX models on the fly (for
// example to exercise relview's plug-in encoder path through ONNX Runtime)
// without python or checked-in binary fixtures. It is a writer only; there is
// no parser.
//
// Field numbers follow onnx/onnx.proto. Output is deterministic: the same
// Model always marshals to the same bytes (metadata keys are sorted).
package onnxproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
)

// Defaults used when Model.IRVersion / Model.Opset are zero. IR version 8 and
// opset 17 are supported by every ONNX Runtime release since 1.12.
const (
	DefaultIRVersion int64 = 8
	DefaultOpset     int64 = 17
)

// DataType is TensorProto.DataType (the element type of a tensor).
type DataType int32

// TensorProto.DataType values.
const (
	Undefined DataType = 0
	Float     DataType = 1
	Uint8     DataType = 2
	Int8      DataType = 3
	Uint16    DataType = 4
	Int16     DataType = 5
	Int32     DataType = 6
	Int64     DataType = 7
	String    DataType = 8
	Bool      DataType = 9
	Float16   DataType = 10
	Double    DataType = 11
	Uint32    DataType = 12
	Uint64    DataType = 13
)

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// AttributeProto.AttributeType values supported by this package.
const (
	AttrTypeFloat   AttrType = 1
	AttrTypeInt     AttrType = 2
	AttrTypeString  AttrType = 3
	AttrTypeTensor  AttrType = 4
	AttrTypeFloats  AttrType = 6
	AttrTypeInts    AttrType = 7
	AttrTypeStrings AttrType = 8
)

// OpsetID is an OperatorSetIdProto: an operator-set domain ("" = default ONNX
// domain "ai.onnx") and its version.
type OpsetID struct {
	Domain  string
	Version int64
}

// Model is an ONNX ModelProto.
type Model struct {
	IRVersion int64 // 0 means DefaultIRVersion
	Opset     int64 // version of the default ("") domain; 0 means DefaultOpset
	// ExtraOpsets are additional opset_import entries (e.g. "com.microsoft").
	ExtraOpsets []OpsetID
	Producer    string
	ProducerVer string
	Graph       Graph
	Metadata    map[string]string // metadata_props; written sorted by key
}

// Graph is an ONNX GraphProto. Nodes must be in topological order.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
	ValueInfo    []ValueInfo // optional intermediate value types
}

// Node is an ONNX NodeProto. An empty input name denotes an omitted optional
// input.
type Node struct {
	Op      string // op_type, e.g. "Gemm"
	Name    string // optional
	Domain  string // "" = default ONNX domain
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Attr is an ONNX AttributeProto. Build it with AttrInt, AttrFloat,
// AttrString, AttrInts, AttrFloats, AttrStrings or AttrTensor; only the value
// field matching Type is written.
type Attr struct {
	Name    string
	Type    AttrType
	Int     int64
	Float   float32
	String  string
	Ints    []int64
	Floats  []float32
	Strings []string
	Tensor  *Tensor
}

// AttrInt returns an INT attribute.
func AttrInt(name string, v int64) Attr { return Attr{Name: name, Type: AttrTypeInt, Int: v} }

// AttrFloat returns a FLOAT attribute.
func AttrFloat(name string, v float32) Attr {
	return Attr{Name: name, Type: AttrTypeFloat, Float: v}
}

// AttrString returns a STRING attribute.
func AttrString(name, v string) Attr { return Attr{Name: name, Type: AttrTypeString, String: v} }

// AttrInts returns an INTS attribute.
func AttrInts(name string, v ...int64) Attr { return Attr{Name: name, Type: AttrTypeInts, Ints: v} }

// AttrFloats returns a FLOATS attribute.
func AttrFloats(name string, v ...float32) Attr {
	return Attr{Name: name, Type: AttrTypeFloats, Floats: v}
}

// AttrStrings returns a STRINGS attribute.
func AttrStrings(name string, v ...string) Attr {
	return Attr{Name: name, Type: AttrTypeStrings, Strings: v}
}

// AttrTensor returns a TENSOR attribute (e.g. the "value" of a Constant node).
func AttrTensor(name string, t Tensor) Attr {
	return Attr{Name: name, Type: AttrTypeTensor, Tensor: &t}
}

// Tensor is an ONNX TensorProto holding its data in raw_data (fixed-width,
// little-endian). Build it with FloatTensor, Int64Tensor, Int32Tensor or
// Uint8Tensor, or fill Raw yourself for other element types.
type Tensor struct {
	Name string
	Dims []int64 // empty = scalar
	Type DataType
	Raw  []byte // len must equal product(Dims) * element size
}

// FloatTensor returns a float32 tensor. It panics if len(data) does not match
// dims.
func FloatTensor(name string, dims []int64, data []float32) Tensor {
	checkLen(name, dims, len(data))
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return Tensor{Name: name, Dims: dims, Type: Float, Raw: raw}
}

// Int64Tensor returns an int64 tensor (e.g. a Reshape shape). It panics if
// len(data) does not match dims.
func Int64Tensor(name string, dims []int64, data []int64) Tensor {
	checkLen(name, dims, len(data))
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return Tensor{Name: name, Dims: dims, Type: Int64, Raw: raw}
}

// Int32Tensor returns an int32 tensor. It panics if len(data) does not match
// dims.
func Int32Tensor(name string, dims []int64, data []int32) Tensor {
	checkLen(name, dims, len(data))
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
	}
	return Tensor{Name: name, Dims: dims, Type: Int32, Raw: raw}
}

// Uint8Tensor returns a uint8 tensor. It panics if len(data) does not match
// dims.
func Uint8Tensor(name string, dims []int64, data []uint8) Tensor {
	checkLen(name, dims, len(data))
	return Tensor{Name: name, Dims: dims, Type: Uint8, Raw: append([]byte(nil), data...)}
}

func checkLen(name string, dims []int64, n int) {
	if p := product(dims); p != int64(n) {
		panic(fmt.Sprintf("onnxproto: tensor %q: dims %v need %d elements, got %d", name, dims, p, n))
	}
}

func product(dims []int64) int64 {
	p := int64(1)
	for _, d := range dims {
		p *= d
	}
	return p
}

// elemSize is the raw_data width of one element, or 0 if unknown/variable.
func elemSize(t DataType) int {
	switch t {
	case Float, Int32, Uint32:
		return 4
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16, Float16:
		return 2
	case Int64, Uint64, Double:
		return 8
	}
	return 0
}

// Dim is one dimension of a ValueInfo shape: a fixed size (Value >= 0), a
// symbolic name (Param != "", e.g. "batch"), or unknown (Value < 0 and no
// Param).
type Dim struct {
	Value int64
	Param string
}

// D returns a fixed dimension.
func D(v int64) Dim { return Dim{Value: v} }

// Sym returns a symbolic dimension (dim_param), e.g. Sym("N") for a dynamic
// batch.
func Sym(name string) Dim { return Dim{Param: name} }

// UnknownDim returns a dimension with neither dim_value nor dim_param.
func UnknownDim() Dim { return Dim{Value: -1} }

// ValueInfo is a ValueInfoProto describing a tensor-typed graph input, output
// or intermediate value. A nil/empty Shape describes a scalar (rank 0) unless
// NoShape is set, in which case the shape (and rank) is left unspecified.
type ValueInfo struct {
	Name    string
	Elem    DataType
	Shape   []Dim
	NoShape bool
}

// TensorInfo is a shorthand ValueInfo constructor.
func TensorInfo(name string, elem DataType, shape ...Dim) ValueInfo {
	return ValueInfo{Name: name, Elem: elem, Shape: shape}
}

// Field numbers from onnx/onnx.proto.
const (
	// ModelProto
	fModelIRVersion    = 1
	fModelProducerName = 2
	fModelProducerVer  = 3
	fModelGraph        = 7
	fModelOpsetImport  = 8
	fModelMetadata     = 14
	// OperatorSetIdProto
	fOpsetDomain  = 1
	fOpsetVersion = 2
	// StringStringEntryProto
	fEntryKey   = 1
	fEntryValue = 2
	// GraphProto
	fGraphNode        = 1
	fGraphName        = 2
	fGraphInitializer = 5
	fGraphInput       = 11
	fGraphOutput      = 12
	fGraphValueInfo   = 13
	// NodeProto
	fNodeInput     = 1
	fNodeOutput    = 2
	fNodeName      = 3
	fNodeOpType    = 4
	fNodeAttribute = 5
	fNodeDomain    = 7
	// AttributeProto
	fAttrName    = 1
	fAttrF       = 2
	fAttrI       = 3
	fAttrS       = 4
	fAttrT       = 5
	fAttrFloats  = 7
	fAttrInts    = 8
	fAttrStrings = 9
	fAttrType    = 20
	// TensorProto
	fTensorDims     = 1
	fTensorDataType = 2
	fTensorName     = 8
	fTensorRawData  = 9
	// ValueInfoProto
	fValueInfoName = 1
	fValueInfoType = 2
	// TypeProto
	fTypeTensorType = 1
	// TypeProto.Tensor
	fTensorTypeElem  = 1
	fTensorTypeShape = 2
	// TensorShapeProto
	fShapeDim = 1
	// TensorShapeProto.Dimension
	fDimValue = 1
	fDimParam = 2
)

// Marshal validates m and serialises it as an ONNX ModelProto.
func (m *Model) Marshal() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m.appendTo(nil), nil
}

// MustMarshal is Marshal that panics on error (for tests).
func (m *Model) MustMarshal() []byte {
	b, err := m.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

// WriteFile marshals m and writes it to path (mode 0644).
func (m *Model) WriteFile(path string) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (m *Model) validate() error {
	g := &m.Graph
	if len(g.Outputs) == 0 {
		return errors.New("onnxproto: graph has no outputs")
	}
	for _, vi := range append(append(append([]ValueInfo(nil), g.Inputs...), g.Outputs...), g.ValueInfo...) {
		if vi.Name == "" {
			return errors.New("onnxproto: value info with empty name")
		}
		if vi.Elem == Undefined {
			return fmt.Errorf("onnxproto: value %q has undefined element type", vi.Name)
		}
	}
	for i := range g.Initializers {
		if err := g.Initializers[i].validate(); err != nil {
			return err
		}
		if g.Initializers[i].Name == "" {
			return fmt.Errorf("onnxproto: initializer %d has no name", i)
		}
	}
	for i, n := range g.Nodes {
		if n.Op == "" {
			return fmt.Errorf("onnxproto: node %d (%q) has no op type", i, n.Name)
		}
		if len(n.Outputs) == 0 {
			return fmt.Errorf("onnxproto: node %d (%s %q) has no outputs", i, n.Op, n.Name)
		}
		for _, a := range n.Attrs {
			if a.Name == "" {
				return fmt.Errorf("onnxproto: node %d (%s) has an attribute with no name", i, n.Op)
			}
			switch a.Type {
			case AttrTypeFloat, AttrTypeInt, AttrTypeString, AttrTypeFloats, AttrTypeInts, AttrTypeStrings:
			case AttrTypeTensor:
				if a.Tensor == nil {
					return fmt.Errorf("onnxproto: node %d (%s) attribute %q: nil tensor", i, n.Op, a.Name)
				}
				if err := a.Tensor.validate(); err != nil {
					return err
				}
			default:
				return fmt.Errorf("onnxproto: node %d (%s) attribute %q: unsupported type %d", i, n.Op, a.Name, a.Type)
			}
		}
	}
	return nil
}

func (t *Tensor) validate() error {
	if t.Type == Undefined || t.Type == String {
		return fmt.Errorf("onnxproto: tensor %q: unsupported data type %d", t.Name, t.Type)
	}
	if es := elemSize(t.Type); es > 0 {
		if want := product(t.Dims) * int64(es); want != int64(len(t.Raw)) {
			return fmt.Errorf("onnxproto: tensor %q: dims %v need %d raw bytes, got %d", t.Name, t.Dims, want, len(t.Raw))
		}
	}
	return nil
}

// Helpers for appending fields.

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendFloat(b []byte, num protowire.Number, v float32) []byte {
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

// appendMessage appends a length-delimited sub-message produced by enc.
func appendMessage(b []byte, num protowire.Number, enc func([]byte) []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, enc(nil))
}

func (m *Model) appendTo(b []byte) []byte {
	ir := m.IRVersion
	if ir == 0 {
		ir = DefaultIRVersion
	}
	opset := m.Opset
	if opset == 0 {
		opset = DefaultOpset
	}
	b = appendVarint(b, fModelIRVersion, uint64(ir))
	if m.Producer != "" {
		b = appendString(b, fModelProducerName, m.Producer)
	}
	if m.ProducerVer != "" {
		b = appendString(b, fModelProducerVer, m.ProducerVer)
	}
	b = appendMessage(b, fModelGraph, m.Graph.appendTo)
	for _, o := range append([]OpsetID{{Version: opset}}, m.ExtraOpsets...) {
		b = appendMessage(b, fModelOpsetImport, func(b []byte) []byte {
			if o.Domain != "" {
				b = appendString(b, fOpsetDomain, o.Domain)
			}
			return appendVarint(b, fOpsetVersion, uint64(o.Version))
		})
	}
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = appendMessage(b, fModelMetadata, func(b []byte) []byte {
			b = appendString(b, fEntryKey, k)
			return appendString(b, fEntryValue, m.Metadata[k])
		})
	}
	return b
}

func (g *Graph) appendTo(b []byte) []byte {
	for i := range g.Nodes {
		b = appendMessage(b, fGraphNode, g.Nodes[i].appendTo)
	}
	if g.Name != "" {
		b = appendString(b, fGraphName, g.Name)
	}
	for i := range g.Initializers {
		b = appendMessage(b, fGraphInitializer, g.Initializers[i].appendTo)
	}
	for i := range g.Inputs {
		b = appendMessage(b, fGraphInput, g.Inputs[i].appendTo)
	}
	for i := range g.Outputs {
		b = appendMessage(b, fGraphOutput, g.Outputs[i].appendTo)
	}
	for i := range g.ValueInfo {
		b = appendMessage(b, fGraphValueInfo, g.ValueInfo[i].appendTo)
	}
	return b
}

func (n *Node) appendTo(b []byte) []byte {
	for _, s := range n.Inputs {
		b = appendString(b, fNodeInput, s)
	}
	for _, s := range n.Outputs {
		b = appendString(b, fNodeOutput, s)
	}
	if n.Name != "" {
		b = appendString(b, fNodeName, n.Name)
	}
	b = appendString(b, fNodeOpType, n.Op)
	for i := range n.Attrs {
		b = appendMessage(b, fNodeAttribute, n.Attrs[i].appendTo)
	}
	if n.Domain != "" {
		b = appendString(b, fNodeDomain, n.Domain)
	}
	return b
}

func (a *Attr) appendTo(b []byte) []byte {
	b = appendString(b, fAttrName, a.Name)
	switch a.Type {
	case AttrTypeFloat:
		b = appendFloat(b, fAttrF, a.Float)
	case AttrTypeInt:
		b = appendVarint(b, fAttrI, uint64(a.Int))
	case AttrTypeString:
		b = appendString(b, fAttrS, a.String)
	case AttrTypeTensor:
		b = appendMessage(b, fAttrT, a.Tensor.appendTo)
	case AttrTypeFloats:
		// proto2 "repeated float" without [packed=true]: one field per element.
		for _, v := range a.Floats {
			b = appendFloat(b, fAttrFloats, v)
		}
	case AttrTypeInts:
		for _, v := range a.Ints {
			b = appendVarint(b, fAttrInts, uint64(v))
		}
	case AttrTypeStrings:
		for _, s := range a.Strings {
			b = appendString(b, fAttrStrings, s)
		}
	}
	return appendVarint(b, fAttrType, uint64(a.Type))
}

func (t *Tensor) appendTo(b []byte) []byte {
	for _, d := range t.Dims {
		b = appendVarint(b, fTensorDims, uint64(d))
	}
	b = appendVarint(b, fTensorDataType, uint64(t.Type))
	if t.Name != "" {
		b = appendString(b, fTensorName, t.Name)
	}
	return appendBytes(b, fTensorRawData, t.Raw)
}

func (v *ValueInfo) appendTo(b []byte) []byte {
	b = appendString(b, fValueInfoName, v.Name)
	return appendMessage(b, fValueInfoType, func(b []byte) []byte {
		return appendMessage(b, fTypeTensorType, func(b []byte) []byte {
			b = appendVarint(b, fTensorTypeElem, uint64(v.Elem))
			if v.NoShape {
				return b
			}
			return appendMessage(b, fTensorTypeShape, func(b []byte) []byte {
				for _, d := range v.Shape {
					b = appendMessage(b, fShapeDim, d.appendTo)
				}
				return b
			})
		})
	})
}

func (d Dim) appendTo(b []byte) []byte {
	switch {
	case d.Param != "":
		return appendString(b, fDimParam, d.Param)
	case d.Value >= 0:
		return appendVarint(b, fDimValue, uint64(d.Value))
	}
	return b
}
