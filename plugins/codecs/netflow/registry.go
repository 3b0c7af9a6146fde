package netflow

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// templateKey names a template: the exporter's address (empty when the
// input does not say who sent the data), the v9 source id or IPFIX
// observation domain, and the template id.
type templateKey struct {
	exporter string
	domain   uint32
	id       uint16
}

// String is the key as Logstash's template cache file writes it
// (domain|id), with the exporter appended when known.
func (k templateKey) String() string {
	s := strconv.FormatUint(uint64(k.domain), 10) + "|" + strconv.FormatUint(uint64(k.id), 10)
	if k.exporter != "" {
		s += "|" + k.exporter
	}
	return s
}

func parseTemplateKey(s string) (templateKey, bool) {
	parts := strings.Split(s, "|")
	if len(parts) < 2 {
		return templateKey{}, false
	}
	domain, err1 := strconv.ParseUint(parts[0], 10, 32)
	id, err2 := strconv.ParseUint(parts[1], 10, 16)
	if err1 != nil || err2 != nil {
		return templateKey{}, false
	}
	k := templateKey{domain: uint32(domain), id: uint16(id)}
	// Logstash keyed by host|port when its input passed them; the port
	// of an exporter changes, so only the host is kept.
	if len(parts) > 2 {
		k.exporter = parts[2]
	}
	return k, true
}

type cached struct {
	t       *template
	fields  []field
	expires time.Time
}

// registry holds the templates of one codec declaration, shared by every
// instance of it (the udp input's workers), for ttl after each arrival,
// and keeps them in path when set.
type registry struct {
	log  *slog.Logger
	ttl  time.Duration
	path string
	now  func() time.Time

	mu        sync.Mutex
	templates map[templateKey]*cached
	swept     time.Time
}

func newRegistry(log *slog.Logger, ttl time.Duration, path string) *registry {
	r := &registry{log: log, ttl: ttl, path: path, now: time.Now, templates: map[templateKey]*cached{}}
	if path != "" {
		r.load()
	}
	return r
}

// register stores a template; it reports false for one with a field type
// that cannot be read.
func (r *registry) register(k templateKey, fields []field) (*template, bool) {
	t, err := newTemplate(fields)
	if err != nil {
		r.log.Warn("Template has a field of unsupported type, ignoring it", "template_id", k.id, "fields", fmt.Sprint(fields))
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, had := r.templates[k]
	now := r.now()
	r.templates[k] = &cached{t: t, fields: fields, expires: now.Add(r.ttl)}
	// Expired templates are swept once a ttl, so that exporters that went
	// away do not hold memory, without a sweep on every arrival.
	expired := false
	if now.Sub(r.swept) >= r.ttl {
		expired, r.swept = r.cleanup(), now
	}
	if r.path != "" && (!had || !reflect.DeepEqual(old.fields, fields) || expired) {
		r.persist()
	}
	return t, true
}

// withdraw forgets a template its exporter withdrew.
func (r *registry) withdraw(k templateKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.templates[k]; ok {
		delete(r.templates, k)
		if r.path != "" {
			r.persist()
		}
	}
}

// fetch returns the live template for k, or one stored without an
// exporter (read from Logstash's cache file, or decoded without a sender).
func (r *registry) fetch(k templateKey) *template {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for _, key := range []templateKey{k, {domain: k.domain, id: k.id}} {
		if c, ok := r.templates[key]; ok {
			if now.After(c.expires) {
				delete(r.templates, key)
				continue
			}
			return c.t
		}
		if k.exporter == "" {
			break
		}
	}
	return nil
}

// cleanup drops expired templates; it reports whether there were any.
func (r *registry) cleanup() bool {
	now := r.now()
	dropped := false
	for k, c := range r.templates {
		if now.After(c.expires) {
			delete(r.templates, k)
			dropped = true
		}
	}
	return dropped
}

// persist writes the templates as Logstash's cache file: a JSON object of
// key to [type, name, options] tuples.
func (r *registry) persist() {
	now := r.now()
	keys := make([]templateKey, 0, len(r.templates))
	for k, c := range r.templates {
		if !now.After(c.expires) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(k.String())
		b.Write(name)
		b.WriteByte(':')
		tuples, _ := json.Marshal(toTuples(r.templates[k].fields))
		b.Write(tuples)
	}
	b.WriteByte('}')
	if info, err := os.Stat(r.path); err == nil && info.Mode().Perm()&0o200 == 0 {
		r.log.Error("Template Cache could not be saved", "file_path", r.path, "exception", "Template Cache not writable")
		return
	}
	if err := os.WriteFile(r.path, []byte(b.String()), 0o644); err != nil {
		r.log.Error("Template Cache could not be saved", "file_path", r.path, "exception", err.Error())
	}
}

func (r *registry) load() {
	data, err := os.ReadFile(r.path)
	if os.IsNotExist(err) {
		r.log.Warn("Template Cache does not exist", "file_path", r.path)
		return
	}
	if err != nil {
		r.log.Error("Template Cache could not be loaded", "file_path", r.path, "exception", err.Error())
		return
	}
	var raw map[string][][]any
	if err := json.Unmarshal(data, &raw); err != nil {
		r.log.Error("Template Cache could not be loaded", "file_path", r.path, "exception", err.Error())
		return
	}
	expires := r.now().Add(r.ttl)
	for s, tuples := range raw {
		k, ok := parseTemplateKey(s)
		fields, err := fromTuples(tuples)
		if !ok || err != nil {
			r.log.Error("Template Cache could not be loaded", "file_path", r.path, "exception", fmt.Sprintf("template %q: %v", s, err))
			continue
		}
		t, err := newTemplate(fields)
		if err != nil {
			r.log.Error("Template Cache could not be loaded", "file_path", r.path, "exception", fmt.Sprintf("template %q: %v", s, err))
			continue
		}
		r.templates[k] = &cached{t: t, fields: fields, expires: expires}
	}
	if f, err := os.OpenFile(r.path, os.O_WRONLY, 0); err != nil {
		r.log.Warn("Template Cache not writable", "file_path", r.path)
	} else {
		f.Close()
	}
}

func toTuples(fields []field) [][]any {
	out := make([][]any, len(fields))
	for i, f := range fields {
		var name any
		if f.Name != "" {
			name = f.Name
		}
		switch f.Type {
		case kindString:
			out[i] = []any{f.Type, name, map[string]any{"length": f.Length, "trim_padding": true}}
		case kindSkip:
			out[i] = []any{f.Type, name, map[string]any{"length": f.Length}}
		case typeOctetArray:
			out[i] = []any{f.Type, name, map[string]any{"initial_length": f.Length}}
		default:
			out[i] = []any{f.Type, name}
		}
	}
	return out
}

func fromTuples(tuples [][]any) ([]field, error) {
	fields := make([]field, 0, len(tuples))
	for _, t := range tuples {
		if len(t) < 1 {
			return nil, fmt.Errorf("empty field")
		}
		var f field
		typ, ok := t[0].(string)
		if !ok {
			return nil, fmt.Errorf("field type %v is not a string", t[0])
		}
		f.Type = typ
		if len(t) > 1 && t[1] != nil {
			if f.Name, ok = t[1].(string); !ok {
				return nil, fmt.Errorf("field name %v is not a string", t[1])
			}
		}
		if len(t) > 2 {
			opts, _ := t[2].(map[string]any)
			for _, key := range []string{"length", "initial_length"} {
				if n, ok := opts[key].(float64); ok {
					f.Length = int(n)
				}
			}
		}
		fields = append(fields, f)
	}
	return fields, nil
}
