package syslog_pri

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

// Expectations follow the plugin's parse_pri (spec/filters-wave2.md §6):
// Ruby to_i of the value, severity = pri & 7, facility = pri >> 3.
func TestSyslogPriLegacyFields(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
	}{
		{"integer value", `{"syslog_pri":13}`, `{"syslog_pri":13,"syslog_severity_code":5,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"notice"}`, O{}},
		{"float value", `{"syslog_pri":14.9}`, `{"syslog_pri":14.9,"syslog_severity_code":6,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"informational"}`, O{}},
		{"first of a list", `{"syslog_pri":["0","99"]}`, `{"syslog_pri":["0","99"],"syslog_severity_code":0,"syslog_facility_code":0,"syslog_facility":"kernel","syslog_severity":"emergency"}`, O{}},
		{"missing is 13", `{}`, `{"syslog_severity_code":5,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"notice"}`, O{}},
		{"no labels", `{"p":"191"}`, `{"p":"191","syslog_severity_code":7,"syslog_facility_code":23}`, O{"syslog_pri_field_name": "p", "use_labels": false}},
		{"short custom labels", `{"syslog_pri":"9"}`, `{"syslog_pri":"9","syslog_severity_code":1,"syslog_facility_code":1,"tags":["_syslogpriparsefailure"]}`, O{"facility_labels": []any{"only"}}},
		{"severity label missing", `{"syslog_pri":"3"}`, `{"syslog_pri":"3","syslog_severity_code":3,"syslog_facility_code":0,"syslog_facility":"kernel"}`, O{"severity_labels": []any{"a"}}},
		{"a huge value", `{"syslog_pri":"99999999999999999999"}`, `{"syslog_pri":"99999999999999999999","syslog_severity_code":7,"syslog_facility_code":12499999999999999999,"tags":["_syslogpriparsefailure"]}`, O{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := O{"ecs_compatibility": "disabled"}
			for k, v := range c.opts {
				opts[k] = v
			}
			f := filtertest.MustNew(t, "syslog_pri", opts)
			e := filtertest.Event(t, c.in)
			if matched, _ := filtertest.Run(f, e); !matched {
				t.Error("syslog_pri always matches")
			}
			if got := filtertest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSyslogPriUnreadableValueIsLeftAlone(t *testing.T) {
	f := filtertest.MustNew(t, "syslog_pri", O{"ecs_compatibility": "disabled"})
	e := filtertest.Event(t, `{"syslog_pri":{"a":1}}`)
	if matched, _ := filtertest.Run(f, e); matched {
		t.Error("matched")
	}
	if got := filtertest.Data(e); got != `{"syslog_pri":{"a":1}}` {
		t.Errorf("got %s", got)
	}
}
