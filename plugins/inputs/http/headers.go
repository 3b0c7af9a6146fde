package http

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// requestHeaders is the map Logstash's MessageProcessor makes of a
// request's headers: names lower-cased with '-' as '_', then accept, host
// and user_agent renamed http_accept, http_host and http_user_agent (null
// when missing), and request_method, request_path and http_version added.
// It is a java.util.HashMap, so the event gets its keys in that map's
// iteration order, which javaHashMap reproduces.
type requestHeaders struct {
	m *javaHashMap
}

func formatHeaders(r *http.Request, bodyLen int) *requestHeaders {
	h := &requestHeaders{m: newJavaHashMap()}
	names := make([]string, 0, len(r.Header)+1)
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vals := r.Header[name]
		key := strings.ReplaceAll(strings.ToLower(name), "-", "_")
		switch key {
		case "content_length", "content_encoding":
			// Netty's decompressor and aggregator rewrite these: the body
			// arrives inflated, with its real length (set below).
			continue
		}
		h.m.put(key, vals[len(vals)-1])
	}
	h.m.put("host", r.Host)
	h.m.put("content_length", strconv.Itoa(bodyLen))
	h.m.put("http_accept", h.m.remove("accept"))
	h.m.put("http_host", h.m.remove("host"))
	h.m.put("http_user_agent", h.m.remove("user_agent"))
	h.m.put("request_method", r.Method)
	h.m.put("request_path", r.RequestURI)
	h.m.put("http_version", "HTTP/"+strconv.Itoa(r.ProtoMajor)+"."+strconv.Itoa(r.ProtoMinor))
	return h
}

// get returns a header that is present and not null.
func (h *requestHeaders) get(key string) (string, bool) {
	v, ok := h.m.get(key)
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// toMap is the headers as an event value, in the HashMap's order.
func (h *requestHeaders) toMap() any { return h.m.toMap() }

// javaHashMap keeps the keys of a java.util.HashMap<String,String> so
// they can be listed in the order Java iterates them: by bucket (the
// spread String.hashCode masked by the table size, which doubles past a
// load of 0.75), and in a bucket by insertion.
type javaHashMap struct {
	entries  []javaEntry
	capacity int
	seq      int
}

type javaEntry struct {
	key   string
	value *string // nil is Java's null
	seq   int
}

func newJavaHashMap() *javaHashMap { return &javaHashMap{capacity: 16} }

func (m *javaHashMap) index(key string) int {
	return slices.IndexFunc(m.entries, func(e javaEntry) bool { return e.key == key })
}

// put sets key; a string value or nil (null).
func (m *javaHashMap) put(key string, value any) {
	var v *string
	switch t := value.(type) {
	case string:
		v = &t
	case *string:
		v = t
	}
	if i := m.index(key); i >= 0 {
		m.entries[i].value = v
		return
	}
	m.seq++
	m.entries = append(m.entries, javaEntry{key: key, value: v, seq: m.seq})
	if len(m.entries) > m.capacity*3/4 {
		m.capacity *= 2
	}
}

func (m *javaHashMap) remove(key string) *string {
	i := m.index(key)
	if i < 0 {
		return nil
	}
	v := m.entries[i].value
	m.entries = slices.Delete(m.entries, i, i+1)
	return v
}

func (m *javaHashMap) get(key string) (*string, bool) {
	i := m.index(key)
	if i < 0 {
		return nil, false
	}
	return m.entries[i].value, true
}

func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16Units(s) {
		h = 31*h + int32(u)
	}
	return h
}

func utf16Units(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

func (m *javaHashMap) bucket(key string) int {
	h := uint32(javaStringHash(key))
	return int((h ^ (h >> 16)) & uint32(m.capacity-1))
}

func (m *javaHashMap) toMap() any {
	ordered := slices.Clone(m.entries)
	sort.SliceStable(ordered, func(i, j int) bool {
		bi, bj := m.bucket(ordered[i].key), m.bucket(ordered[j].key)
		if bi != bj {
			return bi < bj
		}
		return ordered[i].seq < ordered[j].seq
	})
	out := event.NewMap(len(ordered))
	for _, e := range ordered {
		if e.value == nil {
			out.Set(e.key, nil)
		} else {
			out.Set(e.key, *e.value)
		}
	}
	return out
}
