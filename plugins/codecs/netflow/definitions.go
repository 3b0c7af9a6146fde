package netflow

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// definition is one field of Logstash's netflow.yaml or ipfix.yaml: a type
// (uint32, ip4_addr, string, skip, ...) or, in netflow.yaml, a default
// length in bytes of an unsigned number, and the event field's name (empty
// for bytes that are skipped).
type definition struct {
	kind   string
	length int
	name   string
}

// readNetflowDefinitions reads a netflow_definitions file, whose entries
// add to or replace the built-in NetFlow v9 fields of the same number.
func readNetflowDefinitions(path string, base map[uint16]definition) (map[uint16]definition, error) {
	var raw map[uint16][]any
	if err := readYAML(path, &raw); err != nil {
		return nil, err
	}
	merged := make(map[uint16]definition, len(base)+len(raw))
	for k, v := range base {
		merged[k] = v
	}
	for id, v := range raw {
		d, err := parseDefinition(v)
		if err != nil {
			return nil, fmt.Errorf("Bad syntax in definitions file %s: field %d: %v", path, id, err)
		}
		merged[id] = d
	}
	return merged, nil
}

// readIPFIXDefinitions reads an ipfix_definitions file. Its top level is
// the enterprise number, and an enterprise it names replaces the built-in
// one as a whole, as in Logstash (which merges only the top level).
func readIPFIXDefinitions(path string, base map[uint32]map[uint16]definition) (map[uint32]map[uint16]definition, error) {
	var raw map[uint32]map[uint16][]any
	if err := readYAML(path, &raw); err != nil {
		return nil, err
	}
	merged := make(map[uint32]map[uint16]definition, len(base)+len(raw))
	for k, v := range base {
		merged[k] = v
	}
	for pen, fields := range raw {
		m := make(map[uint16]definition, len(fields))
		for id, v := range fields {
			d, err := parseDefinition(v)
			if err != nil {
				return nil, fmt.Errorf("Bad syntax in definitions file %s: enterprise %d field %d: %v", path, pen, id, err)
			}
			m[id] = d
		}
		merged[pen] = m
	}
	return merged, nil
}

func readYAML(path string, into any) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return fmt.Errorf("definitions file %s does not exist", path)
	}
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		return fmt.Errorf("Bad syntax in definitions file %s: %v", path, err)
	}
	return nil
}

// parseDefinition reads [type or length, name], where Ruby symbols
// (":uint8") and plain strings mean the same.
func parseDefinition(v []any) (definition, error) {
	if len(v) == 0 || len(v) > 2 {
		return definition{}, fmt.Errorf("a definition is [type or length, name], got %v", v)
	}
	var d definition
	switch t := v[0].(type) {
	case int:
		if t <= 0 {
			return d, fmt.Errorf("length %d is not positive", t)
		}
		d.length = t
	case string:
		d.kind = strings.TrimPrefix(t, ":")
		if _, ok := fixedSize(d.kind); !ok && !variableKinds[d.kind] {
			return d, fmt.Errorf("unknown type %q", d.kind)
		}
	default:
		return d, fmt.Errorf("the type %v is neither a type name nor a length", v[0])
	}
	if len(v) == 2 {
		name, ok := v[1].(string)
		if !ok {
			return d, fmt.Errorf("the name %v is not a string", v[1])
		}
		d.name = strings.TrimPrefix(name, ":")
	}
	if d.name == "" && d.kind != kindSkip {
		return d, fmt.Errorf("a %s field needs a name", d.kind)
	}
	return d, nil
}

// Kinds of fields whose size the template gives.
const (
	kindSkip          = "skip"
	kindString        = "string"
	kindOctetArray    = "octetarray"
	kindApplicationID = "application_id"
)

var variableKinds = map[string]bool{kindSkip: true, kindString: true, kindOctetArray: true, kindApplicationID: true}

// netflowField turns a v9 template's field into how its bytes are read,
// as Logstash's netflow_field_for does: numbers take the template's length
// (reduced-size encoding), strings and skips take it as their size, and
// other types keep their own size. ok is false for a field the
// definitions do not know, which makes the template unusable.
func netflowField(log *slog.Logger, defs map[uint16]definition, typ, length, templateID uint16) (field, bool) {
	d, known := defs[typ]
	if !known {
		log.Warn(fmt.Sprintf("Unsupported field in template %d", templateID), "type", typ, "length", length)
		return field{}, false
	}
	if d.kind == "" {
		return field{Type: uintType(int(length), d.length), Name: d.name}, true
	}
	switch d.kind {
	case "uint8", "uint16", "uint24", "uint32", "uint64":
		natural, _ := fixedSize(d.kind)
		if length > 2 && d.kind == "uint16" || length > 4 && d.kind == "uint32" || length > 8 && d.kind == "uint64" {
			log.Warn(fmt.Sprintf("Reduced-size encoding for %s is larger than %s", d.kind, d.kind), "field", d.name, "length", length)
		}
		return field{Type: uintType(int(length), natural), Name: d.name}, true
	case kindApplicationID:
		return applicationIDField(log, d, length)
	case kindSkip:
		return field{Type: kindSkip, Length: int(length)}, true
	case kindString:
		return stringField(d, length), true
	}
	return field{Type: d.kind, Name: d.name}, true
}

// ipfixField is netflowField for an IPFIX information element, as
// Logstash's ipfix_field_for: uint16/32/64 take the template's length,
// uint8 and the other fixed types keep their own.
func ipfixField(log *slog.Logger, defs map[uint32]map[uint16]definition, typ uint16, enterprise uint32, length uint16) (field, bool) {
	fields, ok := defs[enterprise]
	if !ok {
		log.Warn("Unsupported enterprise", "enterprise", enterprise)
		return field{}, false
	}
	d, ok := fields[typ]
	if !ok {
		log.Warn("Unsupported enterprise field", "type", typ, "enterprise", enterprise, "length", length)
		return field{}, false
	}
	switch d.kind {
	case "":
		return field{Type: uintType(int(length), d.length), Name: d.name}, true
	case kindSkip:
		if length == varLength {
			return field{Type: typeVarSkip}, true
		}
		return field{Type: kindSkip, Length: int(length)}, true
	case kindString:
		return stringField(d, length), true
	case kindOctetArray:
		return field{Type: typeOctetArray, Name: d.name, Length: int(length)}, true
	case "uint64", "uint32", "uint16":
		natural, _ := fixedSize(d.kind)
		return field{Type: uintType(int(length), natural), Name: d.name}, true
	case kindApplicationID:
		return applicationIDField(log, d, length)
	}
	return field{Type: d.kind, Name: d.name}, true
}

// varLength is the length a template gives a variable-length field.
const varLength = 65535

func stringField(d definition, length uint16) field {
	if length == varLength {
		return field{Type: typeVarString, Name: d.name}
	}
	return field{Type: kindString, Name: d.name, Length: int(length)}
}

// applicationIDField picks RFC 6759's application id layout by length.
func applicationIDField(log *slog.Logger, d definition, length uint16) (field, bool) {
	switch length {
	case 2, 3, 4, 5, 7, 8, 9:
		return field{Type: fmt.Sprintf("Application_Id%d", int(length)*8), Name: d.name}, true
	}
	log.Warn("Unsupported application_id length encountered, skipping", "field", d.name, "length", length)
	return field{}, false
}

// uintType is the unsigned type of a field length bytes long, or of
// fallback bytes when the template gives no length.
func uintType(length, fallback int) string {
	if length == 0 {
		length = fallback
	}
	return fmt.Sprintf("uint%d", length*8)
}
