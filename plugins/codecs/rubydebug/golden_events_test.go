package rubydebug

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// readEventFile reads a golden input file (see scripts/golden/rubydebug.rb
// for the format) into event data in document order.
func readEventFile(path string) (*event.Map, error) {
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
