package ruby

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
)

// Batches cross as JSON, which Ruby's C parser and generator handle two to
// three times faster than Marshal: a batch is most of the Ruby side's
// work. JSON has no timestamps, decimals or binary strings, so those
// travel as tagged objects, {"\u0000gs": "<class>", ...}, which Ruby's
// parser turns into the class's json_create; a reply the generator cannot
// write (a binary string, a NaN) comes back in Marshal instead.
//
// The top-level @timestamp of each event, the one timestamp every event
// has, is sent in binary before the events' JSON (null in its place), so
// Ruby makes a timestamp only for the events whose timestamp the code
// reads. The reply says only what changed (see result).
const (
	wireTag          = "\u0000gs"
	wireTimestampTag = "GostashWire::Timestamp"
	wireDecimalTag   = "GostashWire::Decimal"
	wireBinaryTag    = "GostashWire::Binary"
)

// jsonWriter appends batch JSON.
type jsonWriter struct {
	b []byte
	// decimals, by Ruby's canonical form, as in marshalWriter.
	decimals map[string]event.Decimal
}

func (w *jsonWriter) str(s string) {
	// Most strings are ASCII with nothing to escape: one pass, one copy.
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
		return
	}
	if !utf8.ValidString(s) {
		w.b = append(w.b, `{"\u0000gs":"`+wireBinaryTag+`","v":"`...)
		w.b = base64.StdEncoding.AppendEncode(w.b, []byte(s))
		w.b = append(w.b, `"}`...)
		return
	}
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.b = append(w.b, s[start:i]...)
		switch c {
		case '"', '\\':
			w.b = append(w.b, '\\', c)
		case '\n':
			w.b = append(w.b, '\\', 'n')
		case '\t':
			w.b = append(w.b, '\\', 't')
		case '\r':
			w.b = append(w.b, '\\', 'r')
		default:
			w.b = append(w.b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xF])
		}
		start = i + 1
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

const hexDigit = "0123456789abcdef"

func (w *jsonWriter) float(f float64) {
	switch {
	case math.IsNaN(f):
		w.b = append(w.b, "NaN"...)
	case math.IsInf(f, 1):
		w.b = append(w.b, "Infinity"...)
	case math.IsInf(f, -1):
		w.b = append(w.b, "-Infinity"...)
	default:
		start := len(w.b)
		w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
		for _, c := range w.b[start:] {
			if c == '.' || c == 'e' {
				return
			}
		}
		// A whole number: Ruby's parser reads "1" as an Integer.
		w.b = append(w.b, '.', '0')
	}
}

func (w *jsonWriter) timestamp(t event.Timestamp) {
	w.b = append(w.b, `{"\u0000gs":"`+wireTimestampTag+`","s":`...)
	w.b = strconv.AppendInt(w.b, t.Unix(), 10)
	w.b = append(w.b, `,"n":`...)
	w.b = strconv.AppendInt(w.b, int64(t.Nanosecond()), 10)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) value(v any) error {
	switch t := v.(type) {
	case nil:
		w.b = append(w.b, "null"...)
	case bool:
		w.b = strconv.AppendBool(w.b, t)
	case string:
		w.str(t)
	case int64:
		w.b = strconv.AppendInt(w.b, t, 10)
	case int:
		w.b = strconv.AppendInt(w.b, int64(t), 10)
	case *big.Int:
		w.b = t.Append(w.b, 10)
	case float64:
		w.float(t)
	case event.Decimal:
		canonical := rubyDecimalString(t)
		if _, seen := w.decimals[canonical]; !seen {
			w.decimals[canonical] = t
		}
		w.b = append(w.b, `{"\u0000gs":"`+wireDecimalTag+`","v":"`...)
		w.b = t.AppendJava(w.b)
		w.b = append(w.b, `"}`...)
	case event.Timestamp:
		w.timestamp(t)
	case *event.Map:
		return w.object(t, false)
	case []any:
		w.b = append(w.b, '[')
		for i, x := range t {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			if err := w.value(x); err != nil {
				return err
			}
		}
		w.b = append(w.b, ']')
	default:
		return fmt.Errorf("a %T cannot be sent to Ruby", v)
	}
	return nil
}

// object appends a map; with topTimestamp a timestamp at @timestamp is
// left as null (the caller sends it beside).
func (w *jsonWriter) object(m *event.Map, topTimestamp bool) error {
	w.b = append(w.b, '{')
	first := true
	var err error
	m.Range(func(k string, x any) bool {
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.str(k)
		w.b = append(w.b, ':')
		if _, ok := x.(event.Timestamp); ok && topTimestamp && k == event.TimestampField {
			w.b = append(w.b, "null"...)
			return true
		}
		err = w.value(x)
		return err == nil
	})
	w.b = append(w.b, '}')
	return err
}

// batch writes the batch frame: the number of events (32-bit
// little-endian), their @timestamps' seconds (64-bit each) and nanoseconds
// (32-bit each, -1 for an event with none), then the events' JSON, [data,
// metadata, data, metadata, ...] (metadata null when empty). The worker
// reads the timestamps and parses the JSON only if the code reads them.
func (w *jsonWriter) batch(events []*event.Event) error {
	n := len(events)
	head := 4 + 12*n
	w.b = slices.Grow(w.b[:0], head+256*n)[:head]
	binary.LittleEndian.PutUint32(w.b, uint32(n))
	for i, e := range events {
		sec, nsec := int64(0), int32(-1)
		if t, ok := e.Timestamp(); ok {
			sec, nsec = t.Unix(), int32(t.Nanosecond())
		}
		binary.LittleEndian.PutUint64(w.b[4+8*i:], uint64(sec))
		binary.LittleEndian.PutUint32(w.b[4+8*n+4*i:], uint32(nsec))
	}
	w.b = append(w.b, '[')
	for i, e := range events {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		if err := w.object(e.Data(), true); err != nil {
			return err
		}
		w.b = append(w.b, ',')
		if e.HasMetadata() {
			if err := w.object(e.Metadata(), false); err != nil {
				return err
			}
		} else {
			w.b = append(w.b, "null"...)
		}
	}
	w.b = append(w.b, ']')
	return nil
}

// jsonReader decodes the JSON the worker's generator writes: no spaces,
// strings escaped the generator's way, tagged objects for timestamps and
// decimals.
type jsonReader struct {
	b        []byte
	i        int
	decimals map[string]event.Decimal
	keys     map[string]string
}

var errJSONShort = errors.New("the worker's JSON ends early")

func (r *jsonReader) fail(what string) error {
	return fmt.Errorf("the worker's JSON: %s at byte %d", what, r.i)
}

func (r *jsonReader) value() (any, error) { return r.valueLike(nil) }

// valueLike reads a value; old is the value the same place held before
// the batch went to Ruby. Where the new value equals it, strings are taken
// from old instead of copied from the reply: most of an event comes back
// unchanged, and this spares the allocations.
func (r *jsonReader) valueLike(old any) (any, error) {
	if r.i >= len(r.b) {
		return nil, errJSONShort
	}
	switch c := r.b[r.i]; {
	case c == '{':
		oldMap, _ := old.(*event.Map)
		return r.object(oldMap)
	case c == '[':
		r.i++
		oldList, _ := old.([]any)
		list := []any{}
		if r.i < len(r.b) && r.b[r.i] == ']' {
			r.i++
			return list, nil
		}
		for {
			var hint any
			if len(list) < len(oldList) {
				hint = oldList[len(list)]
			}
			v, err := r.valueLike(hint)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if r.i >= len(r.b) {
				return nil, errJSONShort
			}
			switch r.b[r.i] {
			case ',':
				r.i++
			case ']':
				r.i++
				return list, nil
			default:
				return nil, r.fail("expected , or ]")
			}
		}
	case c == '"':
		b, err := r.strBytes()
		if err != nil {
			return nil, err
		}
		if s, ok := old.(string); ok && s == string(b) {
			return s, nil
		}
		return string(b), nil
	case c == 'n':
		return nil, r.word("null")
	case c == 't':
		return true, r.word("true")
	case c == 'f':
		return false, r.word("false")
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	}
	return nil, r.fail("unexpected character")
}

func (r *jsonReader) word(w string) error {
	if len(r.b)-r.i < len(w) || string(r.b[r.i:r.i+len(w)]) != w {
		return r.fail("expected " + w)
	}
	r.i += len(w)
	return nil
}

func (r *jsonReader) number() (any, error) {
	start := r.i
	isFloat := false
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' {
			r.i++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
			r.i++
			continue
		}
		break
	}
	text := r.b[start:r.i]
	if !isFloat && len(text) > 0 && len(text) < 19 {
		neg := text[0] == '-'
		digits := text
		if neg {
			digits = text[1:]
		}
		if len(digits) > 0 {
			var n int64
			for _, c := range digits {
				if c < '0' || c > '9' {
					return nil, r.fail("bad number")
				}
				n = n*10 + int64(c-'0')
			}
			if neg {
				n = -n
			}
			return n, nil
		}
	}
	if isFloat {
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil {
			return nil, r.fail("bad number")
		}
		return f, nil
	}
	if n, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return n, nil
	}
	n, ok := new(big.Int).SetString(string(text), 10)
	if !ok {
		return nil, r.fail("bad number")
	}
	return n, nil
}

// strBytes reads a string; the bytes are r.b's own when it has no escapes.
func (r *jsonReader) strBytes() ([]byte, error) {
	r.i++ // the opening quote
	start := r.i
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case '"':
			s := r.b[start:r.i]
			r.i++
			return s, nil
		case '\\':
			return r.escaped(start)
		}
		r.i++
	}
	return nil, errJSONShort
}

func (r *jsonReader) escaped(start int) ([]byte, error) {
	out := append([]byte(nil), r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			r.i++
			return out, nil
		}
		if c != '\\' {
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			return nil, errJSONShort
		}
		r.i += 2
		switch e := r.b[r.i-1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			u, err := r.hex4()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(rune(u)) && r.i+6 <= len(r.b) && r.b[r.i] == '\\' && r.b[r.i+1] == 'u' {
				r.i += 2
				lo, err := r.hex4()
				if err != nil {
					return nil, err
				}
				out = utf8.AppendRune(out, utf16.DecodeRune(rune(u), rune(lo)))
				continue
			}
			out = utf8.AppendRune(out, rune(u))
		default:
			return nil, r.fail("bad escape")
		}
	}
	return nil, errJSONShort
}

func (r *jsonReader) hex4() (uint16, error) {
	if len(r.b)-r.i < 4 {
		return 0, errJSONShort
	}
	n, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 16)
	if err != nil {
		return 0, r.fail("bad \\u escape")
	}
	r.i += 4
	return uint16(n), nil
}

func (r *jsonReader) key() (string, error) {
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return "", r.fail("expected a key")
	}
	b, err := r.strBytes()
	if err != nil {
		return "", err
	}
	if s, ok := r.keys[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(r.keys) < 1024 {
		r.keys[s] = s
	}
	return s, nil
}

// object reads an object: a map, or the value a tagged object stands for.
// old is the map the place held before (see valueLike).
func (r *jsonReader) object(old *event.Map) (any, error) {
	m, err := r.fields(old)
	if err != nil {
		return nil, err
	}
	tag, ok := m.Get(wireTag)
	if !ok {
		return m, nil
	}
	switch tag {
	case wireTimestampTag:
		sec, ok1 := mapValue(m, "s").(int64)
		nsec, ok2 := mapValue(m, "n").(int64)
		if ok1 && ok2 {
			return event.Timestamp{Time: time.Unix(sec, nsec)}, nil
		}
	case wireDecimalTag:
		if s, ok := mapValue(m, "v").(string); ok {
			if d, ok := r.decimals[s]; ok {
				return d, nil
			}
			return decimalFromRuby(s)
		}
	}
	return nil, r.fail(fmt.Sprintf("a bad tagged object %v", tag))
}

// fields reads an object's fields into a new map; old is the map the
// place held before (see valueLike).
func (r *jsonReader) fields(old *event.Map) (*event.Map, error) {
	r.i++ // {
	size := 4
	if old != nil {
		size = old.Len() + 1
	}
	into := event.NewMap(size)
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return into, nil
	}
	for {
		k, err := r.key()
		if err != nil {
			return nil, err
		}
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return nil, r.fail("expected :")
		}
		r.i++
		var hint any
		if old != nil {
			hint, _ = old.Get(k)
		}
		v, err := r.valueLike(hint)
		if err != nil {
			return nil, err
		}
		into.Set(k, v)
		if r.i >= len(r.b) {
			return nil, errJSONShort
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case '}':
			r.i++
			return into, nil
		default:
			return nil, r.fail("expected , or }")
		}
	}
}

// results reads a batch's results, one row per event (see result), into
// rs, reusing its room; a row's writes are appended to ws.
func (r *jsonReader) results(events []*event.Event, rs []result, ws []write) ([]result, []write, error) {
	if r.i >= len(r.b) || r.b[r.i] != '[' {
		return nil, nil, r.fail("expected the results")
	}
	r.i++
	rs = rs[:0]
	for {
		if r.i >= len(r.b) {
			return nil, nil, errJSONShort
		}
		if r.b[r.i] == ']' {
			r.i++
			return rs, ws, nil
		}
		if len(rs) > 0 {
			if r.b[r.i] != ',' {
				return nil, nil, r.fail("expected , or ]")
			}
			r.i++
		}
		if len(rs) == len(events) {
			return nil, nil, r.fail("more results than events")
		}
		var res result
		var err error
		if res, ws, err = r.result(events[len(rs)], ws); err != nil {
			return nil, nil, err
		}
		rs = append(rs, res)
	}
}

// result reads one row: [flags, writes, data, metadata, children], the
// last three only when there is more to say than the writes.
func (r *jsonReader) result(e *event.Event, ws []write) (result, []write, error) {
	var res result
	if r.i >= len(r.b) || r.b[r.i] != '[' {
		return res, ws, r.fail("expected a result")
	}
	r.i++
	v, err := r.number()
	if err != nil {
		return res, ws, err
	}
	if res.flags, _ = v.(int64); !r.next() {
		return res, ws, r.end()
	}
	if r.isNull() {
		r.i += len("null")
	} else {
		start := len(ws)
		if ws, err = r.writes(e.Data(), ws); err != nil {
			return res, ws, err
		}
		res.writes = ws[start:len(ws):len(ws)]
	}
	if !r.next() {
		return res, ws, r.end()
	}
	// The whole event: its values mostly come back as they went.
	if res.data, err = r.mapOrNull(e.Data()); err != nil || !r.next() {
		return res, ws, cmp.Or(err, r.fail("expected the metadata"))
	}
	var oldMeta *event.Map
	if e.HasMetadata() {
		oldMeta = e.Metadata()
	}
	if res.meta, err = r.mapOrNull(oldMeta); err != nil || !r.next() {
		return res, ws, cmp.Or(err, r.fail("expected the children"))
	}
	children, err := r.value()
	if err != nil {
		return res, ws, err
	}
	if res.children, err = childrenFrom(children); err != nil {
		return res, ws, err
	}
	return res, ws, r.end()
}

// next steps over the comma before a row's next element and reports
// whether there is one.
func (r *jsonReader) next() bool {
	if r.i < len(r.b) && r.b[r.i] == ',' {
		r.i++
		return true
	}
	return false
}

// end steps over a row's closing bracket.
func (r *jsonReader) end() error {
	if r.i >= len(r.b) || r.b[r.i] != ']' {
		return r.fail("expected the end of a result")
	}
	r.i++
	return nil
}

func (r *jsonReader) isNull() bool {
	return r.i < len(r.b) && r.b[r.i] == 'n'
}

// mapOrNull reads an object or null; old is the map the place held
// before (see valueLike).
func (r *jsonReader) mapOrNull(old *event.Map) (*event.Map, error) {
	if r.isNull() {
		return nil, r.word("null")
	}
	if r.i >= len(r.b) || r.b[r.i] != '{' {
		return nil, r.fail("expected an object")
	}
	v, err := r.object(old)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*event.Map)
	if !ok {
		return nil, r.fail("expected an object, not a tagged value")
	}
	return m, nil
}

// writes reads a list of [key] (remove) and [key, value] (set), appending
// them to ws; data is the event's, whose values hint at the new ones.
func (r *jsonReader) writes(data *event.Map, ws []write) ([]write, error) {
	if r.i >= len(r.b) || r.b[r.i] != '[' {
		return ws, r.fail("expected the writes")
	}
	r.i++
	for first := true; ; first = false {
		if r.i >= len(r.b) {
			return ws, errJSONShort
		}
		if r.b[r.i] == ']' {
			r.i++
			return ws, nil
		}
		if !first && !r.next() {
			return ws, r.fail("expected , or ]")
		}
		if r.i >= len(r.b) || r.b[r.i] != '[' {
			return ws, r.fail("expected a write")
		}
		r.i++
		k, err := r.key()
		if err != nil {
			return ws, err
		}
		w := write{key: k, remove: true}
		if r.next() {
			old, _ := data.Get(k)
			if w.value, err = r.valueLike(old); err != nil {
				return ws, err
			}
			w.remove = false
		}
		if err := r.end(); err != nil {
			return ws, err
		}
		ws = append(ws, w)
	}
}
