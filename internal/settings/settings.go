// Package settings reads Logstash's settings: logstash.yml, the command
// line, and the per-pipeline entries of pipelines.yml, with Logstash's
// types, defaults and messages. Every setting Logstash documents is
// declared (registry.go), so a key gostash does not know is a typo, and a
// value gostash cannot honour is refused with the reason instead of being
// accepted and ignored.
package settings

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/gostash/gostash/lang"
)

// DefaultSettingsDir is where the package installs logstash.yml and
// pipelines.yml; it is read when neither --path.settings nor
// LS_SETTINGS_DIR names another directory and it exists.
const DefaultSettingsDir = "/etc/gostash"

// Settings are a set of setting values: the process's (logstash.yml, then
// the command line) or one pipeline's (those, then its pipelines.yml entry).
type Settings struct {
	values map[string]any    // coerced values of the settings that were set
	origin map[string]string // where each was set, for messages
	alias  map[string]string // the deprecated name a setting was set by
}

// Warning is something to log once logging is set up: settings are read
// before the log level is known.
type Warning struct {
	Logger  string
	Message string
}

// New returns settings with nothing set: every Get gives the default.
func New() *Settings {
	return &Settings{values: map[string]any{}, origin: map[string]string{}, alias: map[string]string{}}
}

// Clone copies the settings, as Logstash clones the process settings for
// each pipelines.yml entry.
func (s *Settings) Clone() *Settings {
	c := New()
	for k, v := range s.values {
		c.values[k] = v
	}
	for k, v := range s.origin {
		c.origin[k] = v
	}
	for k, v := range s.alias {
		c.alias[k] = v
	}
	return c
}

// SettingError is a setting that could not be set, with where it was set.
type SettingError struct {
	Origin string // "logstash.yml:3:1", "command line", ...
	Name   string
	Msg    string
}

func (e *SettingError) Error() string {
	if e.Origin == "" {
		return fmt.Sprintf("setting %s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("%s: setting %s: %s", e.Origin, e.Name, e.Msg)
}

// Set coerces and checks raw for the named setting and stores it. origin
// says where the value comes from, for error messages.
func (s *Settings) Set(name string, raw any, origin string) error {
	d, ok := registry[name]
	if !ok {
		if reason, isXpack := xpackRefusal(name, raw); isXpack {
			if reason != "" {
				return &SettingError{origin, name, reason + "; remove the setting"}
			}
			s.values[name], s.origin[name] = raw, origin
			return nil
		}
		return &SettingError{Origin: origin, Name: name,
			Msg: fmt.Sprintf("Setting \"%s\" doesn't exist. Please check if you haven't made a typo.%s", name, didYouMean(name))}
	}
	v, err := d.coerce(raw)
	if err == nil && d.Check != nil && v != nil {
		err = d.Check(v)
	}
	if err != nil {
		return &SettingError{origin, name, err.Error()}
	}
	if d.Refuse != nil && v != nil {
		if reason := d.Refuse(v); reason != "" {
			return &SettingError{origin, name, fmt.Sprintf("gostash cannot honour %s: %s", show(d, v), reason)}
		}
	}
	if d.AliasOf != "" {
		s.alias[d.AliasOf] = name
		name = d.AliasOf
	}
	s.values[name], s.origin[name] = v, origin
	return nil
}

// show formats a value for a message; passwords are never shown.
func show(d *Def, v any) string {
	if d.Type == Password {
		return fmt.Sprintf("%s => [FILTERED]", d.Name)
	}
	if str, ok := v.(string); ok {
		return fmt.Sprintf("%s => %q", d.Name, str)
	}
	return fmt.Sprintf("%s => %v", d.Name, v)
}

func didYouMean(name string) string {
	if s := lang.Suggest(name, Names()); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// IsSet reports whether the setting was given (in a file or on the command line).
func (s *Settings) IsSet(name string) bool {
	_, ok := s.values[name]
	return ok
}

// Origin says where a setting was set: "" when it has its default.
func (s *Settings) Origin(name string) string { return s.origin[name] }

// Get returns the setting's value, or its default. Asking for an
// undeclared setting is a programming error.
func (s *Settings) Get(name string) any {
	if v, ok := s.values[name]; ok {
		return v
	}
	d, ok := registry[name]
	if !ok {
		panic("undeclared setting " + name)
	}
	switch name {
	case "pipeline.workers":
		return runtime.NumCPU()
	case "path.queue":
		return filepath.Join(s.String("path.data"), "queue")
	case "path.dead_letter_queue":
		return filepath.Join(s.String("path.data"), "dead_letter_queue")
	case "keystore.file":
		return filepath.Join(s.String("path.settings"), "logstash.keystore")
	}
	return d.Default
}

// String returns a string setting ("" when a nullable one is unset).
func (s *Settings) String(name string) string {
	v, _ := s.Get(name).(string)
	return v
}

// Bool returns a boolean setting.
func (s *Settings) Bool(name string) bool {
	v, _ := s.Get(name).(bool)
	return v
}

// Int returns a whole-number setting (a Numeric one truncated).
func (s *Settings) Int(name string) int64 {
	switch v := s.Get(name).(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// Float returns a Numeric setting.
func (s *Settings) Float(name string) float64 {
	switch v := s.Get(name).(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// Duration returns a TimeValue setting; -1 means disabled.
func (s *Settings) Duration(name string) time.Duration {
	v, _ := s.Get(name).(time.Duration)
	return v
}

// Strings returns a list setting.
func (s *Settings) Strings(name string) []string {
	v, _ := s.Get(name).([]string)
	return v
}

// Millis returns a Numeric setting in milliseconds as a duration.
func (s *Settings) Millis(name string) time.Duration {
	return time.Duration(s.Float(name) * float64(time.Millisecond))
}

// SetNames returns the names of the settings that were set, sorted.
func (s *Settings) SetNames() []string {
	names := make([]string, 0, len(s.values))
	for n := range s.values {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Notices are the warnings the settings that were set call for: a
// deprecated name, or a setting that has no effect in gostash. keep
// selects the settings to look at by where they were set (nil: all).
func (s *Settings) Notices(keep func(origin string) bool) []Warning {
	var out []Warning
	for _, name := range s.SetNames() {
		d, ok := registry[name]
		if !ok || keep != nil && !keep(s.origin[name]) {
			continue
		}
		if old := s.alias[name]; old != "" {
			out = append(out, Warning{"org.logstash.settings.DeprecatedAlias",
				fmt.Sprintf("The setting `%s` is a deprecated alias for `%s` and will be removed in a future release of Logstash. Please use %s instead", old, name, name)})
		}
		if d.NoEffect != "" {
			out = append(out, Warning{"logstash.settings", fmt.Sprintf("Setting %q (set in %s) has no effect in gostash: %s", name, s.origin[name], d.NoEffect)})
		}
	}
	return out
}

// Fingerprint identifies the values that were set: two settings with the
// same fingerprint configure a pipeline the same way.
func (s *Settings) Fingerprint() string {
	h := sha256.New()
	for _, name := range s.SetNames() {
		fmt.Fprintf(h, "%s\x00%#v\x00", name, s.values[name])
	}
	return string(h.Sum(nil))
}
