// Package esoutput is what the elasticsearch and opensearch outputs share:
// turning events into bulk actions as Logstash's elasticsearch output does,
// sending them in _bulk requests, reading the result of each item, and
// retrying what can succeed later — forever, holding the pipeline back —
// while conflicts are dropped and rejected documents go to the dead letter
// queue or the log.
package esoutput

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// Actions the bulk API takes.
var validActions = map[string]bool{"index": true, "delete": true, "create": true, "update": true}

// Mapper turns an event into a bulk action: the per-event part of the
// output's options, templates compiled.
type Mapper struct {
	// Action is sprintf'ed per event; nil means index.
	Action *event.Template
	// Index is the write target, sprintf'ed per event.
	Index *event.Template
	// IndexIsDefault says Index is the plugin's default, which an
	// ingest document's index overrides.
	IndexIsDefault bool
	// The optional per-event parameters; nil when unset.
	DocumentID, Routing, Pipeline, Version, VersionType, DocumentType, Parent *event.Template
	// JoinField, with Parent, turns the parent into a join field value.
	JoinField *event.FieldRef
	// Upsert (JSON text) and Script are sprintf'ed for update actions;
	// nil when empty.
	Upsert, Script  *event.Template
	RetryOnConflict int64
	DocAsUpsert     bool
	ScriptedUpsert  bool
	// ScriptType is inline, indexed or file; ScriptLang may be empty.
	ScriptType, ScriptLang, ScriptVarName string
	// IngestMetadata reads id, index, routing, pipeline, version and
	// version_type from [@metadata][_ingest_document] (and the pipeline
	// from [@metadata][target_ingest_pipeline]), as the elasticsearch
	// output does for the elastic_integration filter.
	IngestMetadata bool
	// CheckPlaceholders makes an index still holding %{...} after sprintf
	// an event error (dlq_on_failed_indexname_interpolation).
	CheckPlaceholders bool
	// SendType sends document_type as _type (Elasticsearch 7 only, or
	// whenever set for OpenSearch's output); set once connected.
	SendType bool
	// DataStream, when set, makes every action a create into a data
	// stream.
	DataStream *DataStream
	// Log takes the data stream field sync warnings.
	Log *slog.Logger
}

// Action is one bulk action: its NDJSON lines and the event it came from.
type Action struct {
	Event *event.Event
	// Name is index, create, update or delete.
	Name string
	// Lines are the action's lines, each ending in "\n": the metadata
	// line, then the source line unless it is a delete.
	Lines []byte
	// MetaLen is the length of the metadata line (without "\n").
	MetaLen int
}

// Meta is the action's metadata line.
func (a *Action) Meta() string { return string(a.Lines[:a.MetaLen]) }

// MappingError is an event the output cannot turn into an action (an
// action name the bulk API lacks, an index with an unresolved
// placeholder): it is not retried.
type MappingError struct {
	Event *event.Event
	Msg   string
}

func (e *MappingError) Error() string { return e.Msg }

var (
	ingestDocRef = event.MustFieldRef("[@metadata][_ingest_document]")
	targetPipRef = event.MustFieldRef("[@metadata][target_ingest_pipeline]")
	dataStreamRf = event.MustFieldRef("[data_stream]")
)

// ingestValue is a string from [@metadata][_ingest_document].
func ingestValue(doc *event.Map, key string) (string, bool) {
	if doc == nil {
		return "", false
	}
	v, ok := doc.Get(key)
	if !ok || v == nil {
		return "", false
	}
	return event.ValueString(v), true
}

// Map appends e's action lines to buf and returns the action; a *MappingError
// when the event cannot be sent.
func (m *Mapper) Map(buf []byte, e *event.Event) ([]byte, *Action, error) {
	var ingest *event.Map
	if m.IngestMetadata {
		if v, ok := e.GetRef(ingestDocRef); ok {
			ingest, _ = v.(*event.Map)
		}
	}
	name := "create"
	var data *event.Map
	if m.DataStream == nil {
		name = "index"
		if m.Action != nil {
			name = m.Action.Render(e)
		}
		if !validActions[name] {
			return buf, nil, &MappingError{e, fmt.Sprintf("Elasticsearch doesn't support [%s] action", name)}
		}
	} else {
		data = m.DataStream.syncedData(e, m.Log)
	}

	var index string
	if m.DataStream != nil {
		index = m.DataStream.target(e)
	} else {
		index = m.Index.Render(e)
	}
	if m.CheckPlaceholders && hasPlaceholder(index) {
		return buf, nil, &MappingError{e, fmt.Sprintf("Badly formatted index, after interpolation still contains placeholder: [%s]", index)}
	}
	if v, ok := ingestValue(ingest, "index"); ok && m.IndexIsDefault && m.DataStream == nil {
		index = v
	}

	var upsert []byte
	if name == "update" && m.Upsert != nil {
		parsed, err := event.DecodeJSONDecimal([]byte(m.Upsert.Render(e)))
		if err != nil {
			return buf, nil, &MappingError{e, fmt.Sprintf("Invalid upsert JSON: %v", err)}
		}
		upsert = event.AppendJSON(nil, parsed)
	}

	start := len(buf)
	buf = append(buf, `{"`...)
	buf = append(buf, name...)
	buf = append(buf, `":{"_id":`...)
	switch {
	case m.DocumentID != nil:
		buf = event.AppendJSONString(buf, m.DocumentID.Render(e))
	default:
		if v, ok := ingestValue(ingest, "id"); ok {
			buf = event.AppendJSONString(buf, v)
		} else {
			buf = append(buf, "null"...)
		}
	}
	buf = append(buf, `,"_index":`...)
	buf = event.AppendJSONString(buf, index)

	routing, hasRouting := "", false
	switch {
	case m.Routing != nil:
		routing, hasRouting = m.Routing.Render(e), true
	default:
		routing, hasRouting = ingestValue(ingest, "routing")
	}
	var parent string
	if m.DataStream == nil && m.Parent != nil {
		parent = m.Parent.Render(e)
		if m.JoinField != nil {
			joined := event.NewMap(2)
			old, _ := e.GetRef(*m.JoinField)
			joined.Set("name", old)
			joined.Set("parent", parent)
			_ = e.SetRef(*m.JoinField, joined)
			routing, hasRouting = parent, true
		}
	}
	buf = append(buf, `,"routing":`...)
	if hasRouting {
		buf = event.AppendJSONString(buf, routing)
	} else {
		buf = append(buf, "null"...)
	}
	if p := m.pipeline(e, ingest); p != "" {
		buf = append(buf, `,"pipeline":`...)
		buf = event.AppendJSONString(buf, p)
	}
	if m.DataStream == nil {
		if m.SendType && m.DocumentType != nil {
			buf = append(buf, `,"_type":`...)
			buf = event.AppendJSONString(buf, m.DocumentType.Render(e))
		}
		if m.Parent != nil && m.JoinField == nil {
			buf = append(buf, `,"parent":`...)
			buf = event.AppendJSONString(buf, parent)
		}
		if name == "update" {
			buf = append(buf, `,"retry_on_conflict":`...)
			buf = strconv.AppendInt(buf, m.RetryOnConflict, 10)
		}
		if v, ok := m.resolve(e, m.Version, ingest, "version"); ok {
			buf = append(buf, `,"version":`...)
			buf = event.AppendJSONString(buf, v)
		}
		if v, ok := m.resolve(e, m.VersionType, ingest, "version_type"); ok {
			buf = append(buf, `,"version_type":`...)
			buf = event.AppendJSONString(buf, v)
		}
	}
	buf = append(buf, "}}"...)
	metaLen := len(buf) - start
	buf = append(buf, '\n')

	switch name {
	case "delete":
	case "update":
		buf = m.appendUpdate(buf, e, upsert)
		buf = append(buf, '\n')
	default:
		if data == nil {
			data = e.Data()
		}
		buf = event.AppendJSON(buf, data)
		buf = append(buf, '\n')
	}
	return buf, &Action{Event: e, Name: name, Lines: buf[start:len(buf):len(buf)], MetaLen: metaLen}, nil
}

func (m *Mapper) resolve(e *event.Event, t *event.Template, ingest *event.Map, key string) (string, bool) {
	if t != nil {
		return t.Render(e), true
	}
	return ingestValue(ingest, key)
}

func (m *Mapper) pipeline(e *event.Event, ingest *event.Map) string {
	if m.Pipeline != nil {
		return m.Pipeline.Render(e)
	}
	if v, ok := ingestValue(ingest, "pipeline"); ok {
		return v
	}
	if m.IngestMetadata {
		if v, ok := e.GetRef(targetPipRef); ok && v != nil {
			return e.Sprintf(event.ValueString(v))
		}
	}
	return ""
}

// appendUpdate writes an update's source line: a partial document
// ({"doc": ...}) or a script with the event as a parameter, and the
// upsert choice, in the key order Logstash sends.
func (m *Mapper) appendUpdate(buf []byte, e *event.Event, upsert []byte) []byte {
	if m.Script == nil {
		buf = append(buf, `{"doc":`...)
		buf = event.AppendJSON(buf, e.Data())
		switch {
		case m.DocAsUpsert:
			buf = append(buf, `,"doc_as_upsert":true`...)
		case upsert != nil:
			buf = append(buf, `,"upsert":`...)
			buf = append(buf, upsert...)
		}
		return append(buf, '}')
	}
	buf = append(buf, `{"script":{"params":{`...)
	buf = event.AppendJSONString(buf, m.ScriptVarName)
	buf = append(buf, ':')
	buf = event.AppendJSON(buf, e.Data())
	buf = append(buf, "},"...)
	switch m.ScriptType {
	case "indexed":
		buf = append(buf, `"id":`...)
	case "file":
		buf = append(buf, `"file":`...)
	default:
		buf = append(buf, `"inline":`...)
	}
	buf = event.AppendJSONString(buf, m.Script.Render(e))
	if m.ScriptLang != "" {
		buf = append(buf, `,"lang":`...)
		buf = event.AppendJSONString(buf, m.ScriptLang)
	}
	buf = append(buf, '}')
	switch {
	case m.ScriptedUpsert:
		buf = append(buf, `,"scripted_upsert":true,"upsert":{}`...)
	case m.DocAsUpsert:
		buf = append(buf, `,"upsert":`...)
		buf = event.AppendJSON(buf, e.Data())
	case upsert != nil:
		buf = append(buf, `,"upsert":`...)
		buf = append(buf, upsert...)
	}
	return append(buf, '}')
}

// hasPlaceholder is Ruby's /%{.*?}/ match.
func hasPlaceholder(s string) bool {
	i := strings.Index(s, "%{")
	return i >= 0 && strings.Contains(s[i+2:], "}")
}

// DataStream is the data stream settings of an output.
type DataStream struct {
	Type, Dataset, Namespace string
	AutoRouting, SyncFields  bool
}

// Name is the configured data stream: type-dataset-namespace.
func (d *DataStream) Name() string { return d.Type + "-" + d.Dataset + "-" + d.Namespace }

// target is the data stream an event goes to: with auto routing, the
// event's own data_stream.type/dataset/namespace where present.
func (d *DataStream) target(e *event.Event) string {
	if !d.AutoRouting {
		return d.Name()
	}
	v, _ := e.GetRef(dataStreamRf)
	ds, ok := v.(*event.Map)
	if !ok {
		return d.Name()
	}
	part := func(key, def string) string {
		if v, ok := ds.Get(key); ok && v != nil && v != false {
			return event.ValueString(v)
		}
		return def
	}
	return part("type", d.Type) + "-" + part("dataset", d.Dataset) + "-" + part("namespace", d.Namespace)
}

// syncedData is the document sent for e with data_stream_sync_fields:
// data_stream.type/dataset/namespace filled in from the settings (and,
// without auto routing, overwritten where they differ). The event itself
// is left alone; nil means the event's data is sent as it is.
func (d *DataStream) syncedData(e *event.Event, log *slog.Logger) *event.Map {
	if !d.SyncFields {
		return nil
	}
	want := [3][2]string{{"type", d.Type}, {"dataset", d.Dataset}, {"namespace", d.Namespace}}
	v, present := e.GetRef(dataStreamRf)
	ds, isMap := v.(*event.Map)
	if isMap {
		complete := true
		for _, w := range want {
			got, ok := ds.Get(w[0])
			if !ok || got == nil || got == false || (!d.AutoRouting && !sameText(got, w[1])) {
				complete = false
			}
		}
		if complete {
			return nil
		}
	}
	data := shallowCopy(e.Data())
	synced := event.NewMap(3)
	if isMap {
		synced = shallowCopy(ds)
		if !d.AutoRouting {
			var stale []string
			for _, w := range want {
				if got, ok := ds.Get(w[0]); ok && !sameText(got, w[1]) {
					stale = append(stale, fmt.Sprintf("%s=%s", w[0], event.ValueString(got)))
					synced.Set(w[0], nil)
				}
			}
			if len(stale) > 0 && log != nil {
				log.Warn("Some data_stream fields are out of sync, these will be updated to reflect data-stream name", slog.String("fields", strings.Join(stale, ", ")))
			}
		}
	} else if present && v != nil && log != nil {
		log.Warn("Invalid 'data_stream' field type, due fields sync will overwrite", slog.String("value", event.ValueString(v)))
	}
	for _, w := range want {
		if got, ok := synced.Get(w[0]); !ok || got == nil || got == false {
			synced.Set(w[0], w[1])
		}
	}
	data.Set("data_stream", synced)
	return data
}

func sameText(v any, s string) bool {
	t, ok := v.(string)
	return ok && t == s
}

func shallowCopy(m *event.Map) *event.Map {
	out := event.NewMap(m.Len() + 1)
	m.Range(func(k string, v any) bool {
		out.Set(k, v)
		return true
	})
	return out
}
