// Package syslog_pri is Logstash's syslog_pri filter: it splits a syslog
// PRI value into its facility and severity codes and labels.
package syslog_pri

import (
	"fmt"
	"log/slog"
	"math"
	"math/big"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optUseLabels          = plugin.Bool("use_labels").Default(true).Doc("Also set the facility and severity names.")
	optSyslogPriFieldName = plugin.String("syslog_pri_field_name").Doc("The field holding the PRI value: `syslog_pri` with ECS disabled, `[log][syslog][priority]` in ECS mode. A missing field counts as 13 (user-level notice).")
	optFacilityLabels     = plugin.Array("facility_labels").Default([]any{
		"kernel", "user-level", "mail", "daemon", "security/authorization", "syslogd", "line printer", "network news",
		"uucp", "clock", "security/authorization", "ftp", "ntp", "log audit", "log alert", "clock",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
	}).Doc("Facility names by code.")
	optSeverityLabels = plugin.Array("severity_labels").Default([]any{
		"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug",
	}).Doc("Severity names by code.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "syslog_pri",
			Summary: "Splits a syslog PRI value into facility and severity codes and names.",
			Options: []plugin.Declared{optUseLabels, optSyslogPriFieldName, optFacilityLabels, optSeverityLabels, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Decode the PRI of a syslog line (ECS disabled)",
				Config: `input { stdin { } }
filter {
  grok { match => { "message" => "^<%{NONNEGINT:syslog_pri}>" } ecs_compatibility => disabled }
  syslog_pri { ecs_compatibility => disabled }
  mutate { remove_field => ["event", "host", "@version"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","message":"<34>Oct 11 22:14:15 mymachine su: 'su root' failed","syslog_pri":"34","syslog_severity_code":2,"syslog_facility_code":4,"syslog_facility":"security/authorization","syslog_severity":"critical"}` + "\n",
			}},
		},
		New: newSyslogPri,
	})
}

// ParseFailureTag marks a facility code past the end of facility_labels.
const ParseFailureTag = "_syslogpriparsefailure"

type syslogPri struct {
	log                          *slog.Logger
	source                       event.FieldRef
	severityCode, facilityCode   event.FieldRef
	severityLabel, facilityLabel event.FieldRef
	useLabels                    bool
	facilityLabels               []any
	severityLabels               []any
}

func newSyslogPri(s *plugin.Settings) (plugin.Filter, error) {
	f := &syslogPri{
		log:            s.Logger(),
		useLabels:      optUseLabels.Get(s),
		facilityLabels: optFacilityLabels.Get(s),
		severityLabels: optSeverityLabels.Get(s),
	}
	source := "syslog_pri"
	keys := [4]string{"syslog_severity_code", "syslog_facility_code", "syslog_severity", "syslog_facility"}
	if s.ECS() != "disabled" {
		source = "[log][syslog][priority]"
		keys = [4]string{"[log][syslog][severity][code]", "[log][syslog][facility][code]", "[log][syslog][severity][name]", "[log][syslog][facility][name]"}
	}
	if optSyslogPriFieldName.IsSet(s) {
		source = optSyslogPriFieldName.Get(s)
	}
	var err error
	if f.source, err = event.ParseFieldRef(source); err != nil {
		return nil, optSyslogPriFieldName.Errorf(s, "%v", err)
	}
	f.severityCode = event.MustFieldRef(keys[0])
	f.facilityCode = event.MustFieldRef(keys[1])
	f.severityLabel = event.MustFieldRef(keys[2])
	f.facilityLabel = event.MustFieldRef(keys[3])
	return f, nil
}

// priority is Ruby's to_i of the PRI value (the first element of a list);
// a missing, null or false value is 13. ok is false for a value Ruby
// cannot convert (a boolean true, a hash).
func priority(v any, present bool) (*big.Int, bool) {
	if !present || v == nil || v == false {
		return big.NewInt(13), true
	}
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return big.NewInt(0), true
		}
		v = l[0]
	}
	switch t := v.(type) {
	case nil:
		return big.NewInt(0), true
	case string:
		return toBig(ruby.ToI(t)), true
	case int64:
		return big.NewInt(t), true
	case *big.Int:
		return t, true
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, false
		}
		n, _ := big.NewFloat(math.Trunc(t)).Int(nil)
		return n, true
	case event.Decimal:
		return toBig(t.Integer()), true
	}
	return nil, false
}

func toBig(v any) *big.Int {
	switch t := v.(type) {
	case int64:
		return big.NewInt(t)
	case *big.Int:
		return t
	}
	return big.NewInt(0)
}

// label is Ruby's labels[code]: a negative code counts from the end.
func label(labels []any, code *big.Int) any {
	if !code.IsInt64() {
		return nil
	}
	i := code.Int64()
	if i < 0 {
		i += int64(len(labels))
	}
	if i < 0 || i >= int64(len(labels)) {
		return nil
	}
	return labels[i]
}

// Filter always matches, as Logstash's does.
func (f *syslogPri) Filter(e *event.Event, _ func(*event.Event)) bool {
	v, present := e.GetRef(f.source)
	pri, ok := priority(v, present)
	if !ok {
		f.log.Error("the syslog priority cannot be read as an integer", slog.String("field", f.source.String()), slog.String("value", ruby.Inspect(v)))
		return false
	}
	severity := new(big.Int).And(pri, big.NewInt(7))
	facility := new(big.Int).Rsh(pri, 3)
	if err := f.set(e, f.severityCode, ruby.Normalize(severity)); err != nil {
		return false
	}
	if err := f.set(e, f.facilityCode, ruby.Normalize(facility)); err != nil {
		return false
	}
	if !f.useLabels {
		return true
	}
	if facility.Cmp(big.NewInt(int64(len(f.facilityLabels)-1))) > 0 {
		e.Tag(ParseFailureTag)
		f.log.Debug("Invalid facility code for event", slog.String("facility", facility.String()))
		return true
	}
	if l := label(f.facilityLabels, facility); l != nil {
		f.set(e, f.facilityLabel, l)
	}
	if l := label(f.severityLabels, severity); l != nil {
		f.set(e, f.severityLabel, l)
	}
	return true
}

func (f *syslogPri) set(e *event.Event, ref event.FieldRef, v any) error {
	err := e.SetRef(ref, v)
	if err != nil {
		f.log.Error(fmt.Sprintf("cannot set %s", ref.String()), slog.String("exception", err.Error()))
	}
	return err
}
