package aggregate_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/gostash/gostash/plugins/filters/aggregate"
	// The aggregate filter runs its code through the ruby filter, found by
	// name in the plugin registry.
	_ "github.com/gostash/gostash/plugins/filters/ruby"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func requireRuby(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ruby"); err != nil {
		t.Skip("no ruby on PATH (apt-get install ruby)")
	}
}

// Register-time checks of logstash-filter-aggregate 2.11.0, worded as it
// words them.
func TestConfigErrors(t *testing.T) {
	requireRuby(t)
	cases := map[string]struct{ text, want string }{
		"static task_id":          {`aggregate { task_id => "static" code => "" }`, "task_id pattern 'static' must contain a dynamic expression like '%{field}'"},
		"inactivity over timeout": {`aggregate { task_id => "%{id}" code => "" timeout => 10 inactivity_timeout => 20 }`, "inactivity_timeout (20) must be lower than timeout (10)"},
		"inactivity over default": {`aggregate { task_id => "%{id}" code => "" inactivity_timeout => 2000 }`, "inactivity_timeout (2000) must be lower than timeout (nil)"},
		"syntax error in code":    {"aggregate { task_id => \"%{id}\" code => \"map['a'] = \n (\" }", "syntax error in code, line 2"},
		"syntax error in timeout": {`aggregate { task_id => "%{id}" code => "" timeout_code => "end" }`, "syntax error in timeout_code, line 1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := plugintest.TryFilter(t, c.text)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// The map lives in Ruby between events; the end event ends the task.
func TestMapAcrossEvents(t *testing.T) {
	requireRuby(t)
	f := plugintest.Filter(t, `aggregate { task_id => "%{id}" code => "map['n'] ||= 0; map['n'] += 1; event.set('n', map['n'])" end_of_task => false }`)
	t.Cleanup(func() { f.Plugin.(interface{ Close() error }).Close() })
	var got []string
	for _, in := range []string{`{"id":1}`, `{"id":2}`, `{"id":1}`, `{}`} {
		e := plugintest.Event(t, in)
		f.Call(e)
		got = append(got, plugintest.Data(e))
	}
	want := `{"id":1,"n":1} {"id":2,"n":1} {"id":1,"n":2} {}`
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// A Ruby worker that dies is replaced by the ruby filter's supervision;
// the aggregate filters register again with the new one and the event is
// processed there (the maps of the dead worker are lost, as a crashed
// Logstash loses them).
func TestRegistersAgainWithANewWorker(t *testing.T) {
	requireRuby(t)
	marker := filepath.Join(t.TempDir(), "kill-once")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code := "if event.get('kill') && File.exist?('" + marker + "') then File.delete('" + marker + "'); Process.kill('KILL', Process.pid) end; map['n'] ||= 0; map['n'] += 1; event.set('n', map['n'])"
	f := plugintest.Filter(t, `aggregate { task_id => "%{id}" code => `+plugintest.Quote(code)+` }`)
	t.Cleanup(func() { f.Plugin.(interface{ Close() error }).Close() })
	var got []string
	for _, in := range []string{`{"id":1}`, `{"id":1,"kill":true}`, `{"id":1}`} {
		e := plugintest.Event(t, in)
		if matched, _ := f.Call(e); !matched {
			t.Errorf("%s did not match: %s", in, plugintest.Data(e))
		}
		got = append(got, plugintest.Data(e))
	}
	want := `{"id":1,"n":1} {"id":1,"kill":true,"n":1} {"id":1,"n":2}`
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}
