package mockgraph

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/autopilotsim/autopilotsim/internal/flatjson"
)

// A list page is up to 1,000 entity maps. encoding/json spends most of a
// cached page's time reflecting over them and sorting their keys
// (BenchmarkGraph), so writeJSON encodes every map answer, pages among
// them, here instead. jsonEncoder writes exactly the bytes json.Marshal
// writes (sorted keys, HTML-safe escaping; FuzzListJSON checks this) for the
// value kinds entity maps hold, and hands every other kind to json.Marshal.

// jsonContentType is the Content-Type writeJSON sends (responses.go); a
// spec checks that list and entity answers keep sending the same one.
const jsonContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"

// maxListReserve bounds what a list reserves after its first element;
// past it the buffer grows by doubling.
const maxListReserve = 16 << 20

// maxJSONDepth hands deeper values to json.Marshal, which detects cycles.
const maxJSONDepth = 64

// jsonEncoder remembers, per depth, the last sorted key list: a page's
// entities have the same keys, so one sort serves the whole page.
type jsonEncoder struct {
	keys [maxJSONDepth + 1][]string
}

// sortedKeys returns m's keys in encoding/json's order.
func (enc *jsonEncoder) sortedKeys(m map[string]any, depth int) []string {
	last := enc.keys[depth]
	if len(last) == len(m) {
		same := true
		for _, k := range last {
			if _, ok := m[k]; !ok {
				same = false
				break
			}
		}
		if same { // as many keys, all of them in m: the same set
			return last
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // encoding/json orders keys with strings.Compare
	enc.keys[depth] = keys
	return keys
}

func (enc *jsonEncoder) append(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return appendMarshal(b, v)
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return flatjson.AppendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys := enc.sortedKeys(x, depth)
		b = append(b, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = flatjson.AppendString(b, k)
			b = append(b, ':')
			if b, err = enc.append(b, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			start := len(b)
			if b, err = enc.append(b, e, depth+1); err != nil {
				return nil, err
			}
			if i == 0 && len(x) > 8 {
				// Room for the rest at the first element's size: a page
				// of entities or an import's answer (thousands of 4 KB
				// hashes) would otherwise grow the buffer by doubling,
				// copying it each time. At most maxListReserve: one
				// large first element among small ones does not make a
				// client's list reserve its size times the count.
				b = slices.Grow(b, min((len(b)-start+1)*(len(x)-1)+1, maxListReserve))
			}
		}
		return append(b, ']'), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = flatjson.AppendString(b, e)
		}
		return append(b, ']'), nil
	}
	return appendMarshal(b, v)
}

func appendMarshal(b []byte, v any) ([]byte, error) {
	m, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, m...), nil
}
