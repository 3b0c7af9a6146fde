// Package codectest builds codecs from option values the way a pipeline
// config would, and reads the tagged JSON event files the codec golden
// tests share.
package codectest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Build configures codec name with options given as config text values:
// strings are quoted strings, and "true"/"false" stay strings too (Logstash's
// validators accept both). ecs is the pipeline's ECS mode.
func Build(tb testing.TB, name, ecs string, options map[string]string) plugin.Codec {
	tb.Helper()
	c, err := TryBuild(name, ecs, options)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TryBuild is Build returning the configuration error instead of failing.
func TryBuild(name, ecs string, options map[string]string) (plugin.Codec, error) {
	p := &lang.Plugin{Name: name, Pos: lang.Pos{File: "test.conf", Line: 1, Column: 1}}
	for k, v := range options {
		p.Attributes = append(p.Attributes, &lang.Attribute{Name: k, Value: &lang.String{Value: v, Quote: '"'}})
	}
	pipeline := plugin.DefaultPipelineSettings(1)
	pipeline.ECSCompatibility = ecs
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	inst, diags := plugin.Build(plugin.KindCodec, p, &plugin.BuildContext{Pipeline: pipeline, Logger: quiet})
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s codec: %v", name, diags)
	}
	return inst.Plugin.(plugin.Codec), nil
}

// Decode feeds each chunk to c and returns the emitted events.
func Decode(c plugin.Codec, chunks ...string) []*event.Event {
	var out []*event.Event
	emit := func(e *event.Event) { out = append(out, e) }
	for _, ch := range chunks {
		c.Decode([]byte(ch), emit)
	}
	return out
}

// ReadEventFile reads a golden input file (see scripts/golden/rubydebug.rb
// for the format) into event data in document order.
func ReadEventFile(path string) (*event.Map, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := readValue(dec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := v.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("%s: top level is not an object", path)
	}
	return m, nil
}

func readValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			list := []any{}
			for dec.More() {
				v, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		m := event.NewMap(4)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			if hexKey, ok := strings.CutPrefix(k, "$bytes:"); ok {
				b, err := hex.DecodeString(hexKey)
				if err != nil {
					return nil, err
				}
				k = string(b)
			}
			v, err := readValue(dec)
			if err != nil {
				return nil, err
			}
			m.Set(k, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return untag(m)
	case json.Number:
		return number(string(t))
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func untag(m *event.Map) (any, error) {
	if m.Len() != 1 {
		return m, nil
	}
	k := m.Keys()[0]
	v, _ := m.Get(k)
	s, _ := v.(string)
	switch k {
	case "$ts":
		ts, ok := event.ParseTimestamp(s)
		if !ok {
			return nil, fmt.Errorf("bad timestamp %q", s)
		}
		return ts, nil
	case "$bytes":
		b, err := hex.DecodeString(s)
		return string(b), err
	case "$float":
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return nil, fmt.Errorf("bad $float %q", s)
	case "$decimal":
		return event.ParseDecimal(s)
	}
	return m, nil
}

func number(s string) (any, error) {
	if strings.ContainsAny(s, ".eE") {
		return strconv.ParseFloat(s, 64)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("bad number %q", s)
	}
	return n, nil
}

// JSON renders e's data as compact JSON, leaving @timestamp out when it is
// the time of decoding rather than part of the input, so expectations stay
// fixed.
func JSON(e *event.Event, withTimestamp bool) string {
	data := e.Data()
	if !withTimestamp {
		data = data.Clone()
		data.Delete(event.TimestampField)
	}
	return string(event.AppendJSON(nil, data))
}

// JSONs is JSON for each event, one per line.
func JSONs(events []*event.Event, withTimestamp bool) string {
	var sb strings.Builder
	for _, e := range events {
		sb.WriteString(JSON(e, withTimestamp))
		sb.WriteByte('\n')
	}
	return sb.String()
}
