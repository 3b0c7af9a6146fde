package syslog_pri

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's parse_pri (spec/filters-wave2.md §6):
// Ruby to_i of the value, severity = pri & 7, facility = pri >> 3.
func TestSyslogPriLegacyFields(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
	}{
		{"integer value", `{"syslog_pri":13}`, `{"syslog_pri":13,"syslog_severity_code":5,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"notice"}`, ``},
		{"float value", `{"syslog_pri":14.9}`, `{"syslog_pri":14.9,"syslog_severity_code":6,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"informational"}`, ``},
		{"first of a list", `{"syslog_pri":["0","99"]}`, `{"syslog_pri":["0","99"],"syslog_severity_code":0,"syslog_facility_code":0,"syslog_facility":"kernel","syslog_severity":"emergency"}`, ``},
		{"missing is 13", `{}`, `{"syslog_severity_code":5,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"notice"}`, ``},
		{"no labels", `{"p":"191"}`, `{"p":"191","syslog_severity_code":7,"syslog_facility_code":23}`, `syslog_pri_field_name => "p" use_labels => false`},
		{"short custom labels", `{"syslog_pri":"9"}`, `{"syslog_pri":"9","syslog_severity_code":1,"syslog_facility_code":1,"tags":["_syslogpriparsefailure"]}`, `facility_labels => ["only"]`},
		{"severity label missing", `{"syslog_pri":"3"}`, `{"syslog_pri":"3","syslog_severity_code":3,"syslog_facility_code":0,"syslog_facility":"kernel"}`, `severity_labels => ["a"]`},
		{"a huge value", `{"syslog_pri":"99999999999999999999"}`, `{"syslog_pri":"99999999999999999999","syslog_severity_code":7,"syslog_facility_code":12499999999999999999,"tags":["_syslogpriparsefailure"]}`, ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, `syslog_pri { ecs_compatibility => "disabled" `+c.config+` }`)
			e := plugintest.Event(t, c.in)
			if matched, _ := f.Call(e); !matched {
				t.Error("syslog_pri always matches")
			}
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSyslogPriUnreadableValueIsLeftAlone(t *testing.T) {
	f := plugintest.Filter(t, `syslog_pri { ecs_compatibility => "disabled" }`)
	e := plugintest.Event(t, `{"syslog_pri":{"a":1}}`)
	if matched, _ := f.Call(e); matched {
		t.Error("matched")
	}
	if got := plugintest.Data(e); got != `{"syslog_pri":{"a":1}}` {
		t.Errorf("got %s", got)
	}
}
