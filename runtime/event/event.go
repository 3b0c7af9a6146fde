package event

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Event is one Logstash event: a data map, a separate metadata map (never
// encoded by codecs except rubydebug with metadata => true), and a cancelled
// flag set by drop.
//
// Values held in an event are: string, int64, *big.Int (integers past 64
// bits), float64, Decimal (JSON decimals from the json filter, Ruby
// BigDecimals in Logstash), bool, nil, Timestamp, *Map and []any.
type Event struct {
	data      *Map
	meta      *Map
	cancelled bool
	ack       *Ack
}

// Field names with special meaning.
const (
	TimestampField = "@timestamp"
	VersionField   = "@version"
	MetadataField  = "@metadata"
	TagsField      = "tags"
)

// Tags the runtime itself adds.
const (
	TimestampParseFailureTag = "_timestampparsefailure"
	TagsParseFailureTag      = "_tagsparsefailure"
)

// NewEvent returns an event stamped now, with @version "1".
func NewEvent() *Event {
	b := &eventBlock{}
	b.data.init()
	b.e.data = &b.data.m
	b.timestamp = Now()
	b.data.m.keys = append(b.data.m.keys, TimestampField, VersionField)
	b.data.m.vals = append(b.data.m.vals, boxTimestampAt(&b.timestamp), "1")
	return &b.e
}

// eventBlock is a new event, its data map and its @timestamp in one
// allocation.
type eventBlock struct {
	e         Event
	data      mapBlock8
	timestamp Timestamp // never written after NewEvent: see boxTimestampAt
}

// eface is the layout of an interface value with no methods (any).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

var timestampType = func() unsafe.Pointer {
	var v any = Timestamp{}
	return (*eface)(unsafe.Pointer(&v)).typ
}()

// boxTimestampAt returns *t as an any without copying it to a new
// allocation, as converting a Timestamp to an interface would (that extra
// allocation per event cost about 9% of the baseline's CPU per event when
// measured against this; TestBoxTimestampAt checks the forgery): the
// interface points at *t. Go never writes through an interface's data
// pointer, so this is the same value as any(*t) as long as *t is not
// changed afterwards; the GC keeps *t's block alive through the interior
// pointer.
func boxTimestampAt(t *Timestamp) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = timestampType, unsafe.Pointer(t)
	return v
}

// NewEventFromMap builds an event from decoded data (the json codec, a
// tweet...) as Logstash does: a @timestamp string is parsed leniently and on
// failure the event is stamped now, tagged _timestampparsefailure and keeps
// the original in _@timestamp; a @metadata map becomes the metadata; a tags
// value that is not a string or list of strings moves to _tags (as a
// one-element list) and tags becomes ["_tagsparsefailure"]; @version "1" is added when missing. The map
// is taken over, not copied. Missing @timestamp/@version are put first.
func NewEventFromMap(m *Map) *Event {
	e := &Event{data: m}
	if md, ok := m.Get(MetadataField); ok {
		m.Delete(MetadataField)
		if mm, ok := md.(*Map); ok {
			e.meta = mm
		}
	}
	// Tags are checked before the timestamp, so a timestamp failure tag
	// lands in a valid tags list.
	if tags, ok := m.Get(TagsField); ok && !validTags(tags) {
		m.Set("_"+TagsField, []any{tags})
		m.Set(TagsField, []any{TagsParseFailureTag})
	}
	ts, hasTS := m.Get(TimestampField)
	if hasTS {
		switch v := ts.(type) {
		case Timestamp:
		case string:
			if t, ok := ParseTimestamp(v); ok {
				m.Set(TimestampField, t)
			} else {
				m.Set(TimestampField, Now())
				m.Set("_"+TimestampField, v)
				e.Tag(TimestampParseFailureTag)
			}
		default:
			m.Set(TimestampField, Now())
			m.Set("_"+TimestampField, v)
			e.Tag(TimestampParseFailureTag)
		}
	}
	hasVersion := m.Has(VersionField)
	if !hasTS || !hasVersion {
		front := NewMap(m.Len() + 2)
		if !hasTS {
			front.Set(TimestampField, Now())
		}
		if !hasVersion {
			front.Set(VersionField, "1")
		}
		m.Range(func(k string, v any) bool { front.Set(k, v); return true })
		e.data = front
	}
	return e
}

func validTags(v any) bool {
	switch t := v.(type) {
	case string:
		return true
	case []any:
		for _, x := range t {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// Data is the event's data map (everything but @metadata).
func (e *Event) Data() *Map { return e.data }

// Metadata is the @metadata map, created on first use.
func (e *Event) Metadata() *Map {
	if e.meta == nil {
		e.meta = NewMap(4)
	}
	return e.meta
}

// HasMetadata reports whether @metadata holds anything.
func (e *Event) HasMetadata() bool { return e.meta != nil && e.meta.Len() > 0 }

// Cancel marks the event dropped; the pipeline removes it after the current filter.
func (e *Event) Cancel() { e.cancelled = true }

// Cancelled reports whether Cancel was called.
func (e *Event) Cancelled() bool { return e.cancelled }

// Timestamp returns @timestamp when it holds a Timestamp.
func (e *Event) Timestamp() (Timestamp, bool) {
	v, _ := e.data.Get(TimestampField)
	t, ok := v.(Timestamp)
	return t, ok
}

// SetTimestamp sets @timestamp.
func (e *Event) SetTimestamp(t Timestamp) { e.data.Set(TimestampField, t) }

// Clone deep-copies the event (data and metadata). The copy shares the
// original's acknowledgement: the input is told once every copy is done.
func (e *Event) Clone() *Event {
	c := &Event{data: e.data.Clone(), cancelled: e.cancelled}
	if e.meta != nil {
		c.meta = e.meta.Clone()
	}
	if e.ack != nil {
		e.ack.retain()
		c.ack = e.ack
	}
	return c
}

// Get reads the value at a field reference string.
func (e *Event) Get(ref string) (any, bool) {
	r, err := ParseFieldRef(ref)
	if err != nil {
		return nil, false
	}
	return e.GetRef(r)
}

// GetRef reads the value at r. A list is indexed by numeric keys (negative
// from the end); a path through a scalar, a bad index or a missing key is
// (nil, false).
func (e *Event) GetRef(r FieldRef) (any, bool) {
	var cur any
	if r.Metadata {
		if e.meta == nil {
			return nil, false
		}
		cur = e.meta
	} else {
		cur = e.data
	}
	for _, k := range r.Path {
		switch c := cur.(type) {
		case *Map:
			v, ok := c.Get(k)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := listIndex(k, len(c))
			if !ok {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func listIndex(k string, n int) (int, bool) {
	i, err := strconv.Atoi(k)
	if err != nil {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// Set writes v at a field reference string.
func (e *Event) Set(ref string, v any) error {
	r, err := ParseFieldRef(ref)
	if err != nil {
		return err
	}
	return e.SetRef(r, v)
}

// SetRef writes v at r, creating missing intermediate maps. An index past
// the end of a list pads it with nils. Writing under a scalar, or a value
// other than a string or list of strings into tags, is an error (Logstash's
// messages).
func (e *Event) SetRef(r FieldRef, v any) error { return e.SetRefSized(r, v, nil) }

// SetRefSized is SetRef for a writer that knows how many keys go into the
// maps it may create: one made for r.Path[i] gets room for sizes[i] keys
// (4 past the end of sizes), so it is neither grown nor oversized.
func (e *Event) SetRefSized(r FieldRef, v any, sizes []int) error {
	if r.Metadata {
		if len(r.Path) == 0 {
			m, ok := v.(*Map)
			if !ok {
				return fmt.Errorf("Could not set field '@metadata' to value '%s': @metadata must be a hash", ValueString(v))
			}
			e.meta = m
			return nil
		}
		return setPath(e.Metadata(), r.Path, v, sizes)
	}
	if len(r.Path) > 0 && r.Path[0] == TagsField {
		if len(r.Path) == 1 && !validTags(v) {
			return fmt.Errorf("Could not set the reserved tags field '[tags]' to value '%s'. The tags field only accepts string or array of string.", ValueString(v))
		}
		if len(r.Path) > 1 {
			if _, ok := v.(string); !ok {
				return fmt.Errorf("Could not set the reserved tags field '[tags]' to value '%s'. The tags field only accepts string or array of string.", ValueString(v))
			}
		}
	}
	return setPath(e.data, r.Path, v, sizes)
}

func setPath(root *Map, path []string, v any, sizes []int) error {
	var cur any = root
	for i, k := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case *Map:
			if last {
				c.Set(k, v)
				return nil
			}
			next, ok := c.Get(k)
			if !ok || next == nil {
				room := 4
				if i < len(sizes) {
					room = sizes[i]
				}
				next = NewMap(room)
				c.Set(k, next)
			}
			if list, ok := next.([]any); ok {
				// Lists are values in their parent map; padding may reallocate,
				// so write the list back after the change.
				nl, err := setInList(list, path[i+1:], v)
				if err != nil {
					return err
				}
				c.Set(k, nl)
				return nil
			}
			cur = next
		default:
			return fmt.Errorf("Could not set field '%s' on object '%s' to value '%s'.This is probably due to trying to set a field like [foo][bar] = someValue when [foo] is not either a map or a string", k, ValueString(cur), ValueString(v))
		}
	}
	return nil
}

func setInList(list []any, path []string, v any) ([]any, error) {
	k := path[0]
	idx, err := strconv.Atoi(k)
	if err != nil {
		return nil, fmt.Errorf("Could not set field '%s' on object '%s' to value '%s'.This is probably due to trying to set a field like [foo][bar] = someValue when [foo] is not either a map or a string", k, ValueString(list), ValueString(v))
	}
	if idx < 0 {
		idx += len(list)
		if idx < 0 {
			return nil, fmt.Errorf("index %s out of bounds for a list of %d", k, len(list))
		}
	}
	for len(list) <= idx {
		list = append(list, nil)
	}
	if len(path) == 1 {
		list[idx] = v
		return list, nil
	}
	switch c := list[idx].(type) {
	case *Map:
		return list, setPath(c, path[1:], v, nil)
	case []any:
		nl, err := setInList(c, path[1:], v)
		list[idx] = nl
		return list, err
	case nil:
		m := NewMap(4)
		list[idx] = m
		return list, setPath(m, path[1:], v, nil)
	default:
		return nil, fmt.Errorf("Could not set field '%s' on object '%s' to value '%s'.This is probably due to trying to set a field like [foo][bar] = someValue when [foo] is not either a map or a string", path[1], ValueString(c), ValueString(v))
	}
}

// Remove deletes the value at a field reference string and returns it.
func (e *Event) Remove(ref string) (any, bool) {
	r, err := ParseFieldRef(ref)
	if err != nil {
		return nil, false
	}
	return e.RemoveRef(r)
}

// RemoveRef deletes the value at r. Removing a list element shifts the rest
// down; removing [@metadata] empties the metadata.
func (e *Event) RemoveRef(r FieldRef) (any, bool) {
	var root *Map
	if r.Metadata {
		if e.meta == nil {
			return nil, false
		}
		if len(r.Path) == 0 {
			old := e.meta
			e.meta = nil
			return old, true
		}
		root = e.meta
	} else {
		root = e.data
	}
	if len(r.Path) == 1 {
		return root.Delete(r.Path[0])
	}
	parentRef := FieldRef{Path: r.Path[:len(r.Path)-1]}
	var parent any
	if r.Metadata {
		parent, _ = (&Event{data: root}).GetRef(parentRef)
	} else {
		parent, _ = e.GetRef(parentRef)
	}
	last := r.Path[len(r.Path)-1]
	switch p := parent.(type) {
	case *Map:
		return p.Delete(last)
	case []any:
		i, ok := listIndex(last, len(p))
		if !ok {
			return nil, false
		}
		v := p[i]
		nl := append(p[:i:i], p[i+1:]...)
		grand := FieldRef{Path: parentRef.Path[:len(parentRef.Path)-1], Metadata: r.Metadata}
		// The shortened list replaces the old one in its parent.
		if gp, ok := e.getFrom(root, grand); ok {
			switch g := gp.(type) {
			case *Map:
				g.Set(parentRef.Path[len(parentRef.Path)-1], nl)
			case []any:
				if j, ok := listIndex(parentRef.Path[len(parentRef.Path)-1], len(g)); ok {
					g[j] = nl
				}
			}
		}
		return v, true
	}
	return nil, false
}

func (e *Event) getFrom(root *Map, r FieldRef) (any, bool) {
	return (&Event{data: root}).GetRef(FieldRef{Path: r.Path})
}

// Includes reports whether a value exists at ref (even a nil one).
func (e *Event) Includes(ref string) bool {
	_, ok := e.Get(ref)
	return ok
}

// Tag adds tag to tags unless already present (Java Event#tag, used by
// failure tags such as _jsonparsefailure).
func (e *Event) Tag(tag string) {
	switch t := e.tagsValue().(type) {
	case nil:
		e.data.Set(TagsField, []any{tag})
	case []any:
		for _, x := range t {
			if x == tag {
				return
			}
		}
		e.data.Set(TagsField, append(t, tag))
	}
}

// AppendTag adds tag without de-duplication, as the add_tag and tags common
// options do. A string tags value becomes a list first.
func (e *Event) AppendTag(tag string) {
	switch t := e.tagsValue().(type) {
	case nil:
		e.data.Set(TagsField, []any{tag})
	case []any:
		e.data.Set(TagsField, append(t, tag))
	}
}

// tagsValue returns tags normalised to a list (nil when absent), converting
// a scalar string in place.
func (e *Event) tagsValue() any {
	v, ok := e.data.Get(TagsField)
	if !ok || v == nil {
		return nil
	}
	switch t := v.(type) {
	case []any:
		return t
	case string:
		l := []any{t}
		e.data.Set(TagsField, l)
		return l
	}
	return nil
}

// HasTag reports whether tags contains tag.
func (e *Event) HasTag(tag string) bool {
	v, _ := e.data.Get(TagsField)
	switch t := v.(type) {
	case string:
		return t == tag
	case []any:
		for _, x := range t {
			if x == tag {
				return true
			}
		}
	}
	return false
}

// Ack tracks the completion of one input record across every event derived
// from it (clones, splits). Done runs when the last holder releases it:
// after every output finished with the events, or they were dropped.
type Ack struct {
	refs atomic.Int32
	done func()
}

// NewAck returns an acknowledgement that calls done once, when released.
func NewAck(done func()) *Ack {
	a := &Ack{done: done}
	a.refs.Store(1)
	return a
}

// NewBatchAck returns one acknowledgement shared by holders events (a
// batch read from a persisted queue): done runs once, when all of them and
// every event derived from them are released. Attach it to each with SetAck.
func NewBatchAck(holders int, done func()) *Ack {
	a := &Ack{done: done}
	a.refs.Store(int32(holders))
	return a
}

func (a *Ack) retain() { a.refs.Add(1) }

// Release drops one reference and runs done on the last.
func (a *Ack) Release() {
	if a.refs.Add(-1) == 0 && a.done != nil {
		a.done()
	}
}

// SetAck attaches an acknowledgement to the event (inputs call this).
func (e *Event) SetAck(a *Ack) { e.ack = a }

// TakeAck detaches the event's acknowledgement, or returns nil when it has
// none. The caller then owns it and must Release it: a persisted queue
// keeps the event on disk and releases its input's acknowledgement once the
// write is durable, instead of when the outputs finish.
func (e *Event) TakeAck() *Ack {
	a := e.ack
	e.ack = nil
	return a
}

// Release tells the event's input that this event is finished: delivered by
// every output or dropped. The pipeline calls it exactly once per event.
func (e *Event) Release() {
	if e.ack != nil {
		a := e.ack
		e.ack = nil
		a.Release()
	}
}
