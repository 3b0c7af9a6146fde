// Package syslog is the syslog input: RFC 3164 messages over TCP and UDP on
// one port, parsed as Logstash parses them, with its own grok filter
// (SYSLOGLINE) and date filter, and the priority split into facility and
// severity with their names.
package syslog

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// The tag grok adds when a message is not RFC 3164.
const parseFailureTag = "_grokparsefailure_sysloginput"

var (
	optHost           = plugin.String("host").Default("0.0.0.0").Doc("The address to listen on, for TCP and UDP.")
	optPort           = plugin.Int("port").Default(514).Between(0, 65535).Doc("The port to listen on, for TCP and UDP.")
	optSyslogField    = plugin.String("syslog_field").Default("message").Doc("The field the syslog line is parsed from (and that the parse overwrites).")
	optGrokPattern    = plugin.String("grok_pattern").Doc("The grok pattern a line is parsed with; by default <%{POSINT:priority}>%{SYSLOGLINE} (ECS: <%{POSINT:[log][syslog][priority]:int}>%{SYSLOGLINE}).")
	optProxyProtocol  = plugin.Bool("proxy_protocol").Default(false).Doc("Read a PROXY protocol v1 line at the start of each TCP connection; its source address becomes the host.")
	optUseLabels      = plugin.Bool("use_labels").Default(true).Doc("Add the facility and severity names.")
	optFacilityLabels = plugin.Strings("facility_labels").Default([]string{"kernel", "user-level", "mail", "system", "security/authorization", "syslogd", "line printer", "network news", "UUCP", "clock", "security/authorization", "FTP", "NTP", "log audit", "log alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}).Doc("Facility names by facility number.")
	optSeverityLabels = plugin.Strings("severity_labels").Default([]string{"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"}).Doc("Severity names by severity number.")
	optTimezone       = plugin.String("timezone").Doc("Zone of timestamps without one (an IANA id such as Europe/Berlin), for the date filter.")
	optLocale         = plugin.String("locale").Doc("Locale of month names in timestamps, for the date filter.")
	optServiceType    = plugin.String("service_type").Default("system").Doc("ECS mode: the [service][type] of events that have none.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "syslog",
			Summary: "Receives RFC 3164 syslog messages over TCP and UDP on one port, with their priority, facility, severity and timestamp parsed.",
			Options: []plugin.Declared{optHost, optPort, optSyslogField, optGrokPattern, optProxyProtocol, optUseLabels,
				optFacilityLabels, optSeverityLabels, optTimezone, optLocale, optServiceType, plugin.ECS},
		},
		New: newInput,
	})
}

// keys are the fields the input writes, by ECS mode.
type keys struct {
	priority, facility, severity, facilityLabel, severityLabel, host event.FieldRef
}

var (
	legacyKeys = keys{
		priority:      event.MustFieldRef("priority"),
		facility:      event.MustFieldRef("facility"),
		severity:      event.MustFieldRef("severity"),
		facilityLabel: event.MustFieldRef("facility_label"),
		severityLabel: event.MustFieldRef("severity_label"),
		host:          event.MustFieldRef("host"),
	}
	ecsKeys = keys{
		priority:      event.MustFieldRef("[log][syslog][priority]"),
		facility:      event.MustFieldRef("[log][syslog][facility][code]"),
		severity:      event.MustFieldRef("[log][syslog][severity][code]"),
		facilityLabel: event.MustFieldRef("[log][syslog][facility][name]"),
		severityLabel: event.MustFieldRef("[log][syslog][severity][name]"),
		host:          event.MustFieldRef("[host][ip]"),
	}
)

type input struct {
	s   *plugin.Settings
	log *slog.Logger

	host          string
	port          int
	proxyProtocol bool
	relay         *relay

	// codec is the one instance Logstash's syslog input shares between
	// every connection and the UDP socket.
	codecMu sync.Mutex
	codec   plugin.Codec
}

// relay is Logstash's syslog_relay: what happens to each decoded event.
type relay struct {
	ecs            bool
	keys           keys
	syslogField    event.FieldRef
	grok, date     plugin.Filter
	useLabels      bool
	facilityLabels []string
	severityLabels []string
	serviceType    string
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{
		s:             s,
		log:           s.Logger(),
		host:          optHost.Get(s),
		port:          int(optPort.Get(s)),
		proxyProtocol: optProxyProtocol.Get(s),
		codec:         s.NewCodec(),
	}
	r, err := newRelay(s)
	if err != nil {
		return nil, err
	}
	in.relay = r
	return in, nil
}

func newRelay(s *plugin.Settings) (*relay, error) {
	ecs := s.ECS() != "disabled"
	r := &relay{
		ecs:            ecs,
		keys:           legacyKeys,
		useLabels:      optUseLabels.Get(s),
		facilityLabels: optFacilityLabels.Get(s),
		severityLabels: optSeverityLabels.Get(s),
		serviceType:    optServiceType.Get(s),
	}
	if ecs {
		r.keys = ecsKeys
	}
	field := optSyslogField.Get(s)
	ref, err := event.ParseFieldRef(field)
	if err != nil {
		return nil, optSyslogField.Errorf(s, "%v", err)
	}
	r.syslogField = ref
	pattern := "<%{POSINT:priority}>%{SYSLOGLINE}"
	if ecs {
		pattern = "<%{POSINT:[log][syslog][priority]:int}>%{SYSLOGLINE}"
	}
	if optGrokPattern.IsSet(s) {
		pattern = optGrokPattern.Get(s)
	}
	// Logstash's syslog input runs real grok and date filters; so does this
	// one, through the plugin registry.
	r.grok, err = buildFilter(s, "grok", optGrokPattern, []attr{
		{"overwrite", []any{field}},
		{"match", hash(field, pattern)},
		{"tag_on_failure", []any{parseFailureTag}},
		// The input's ECS mode, where v8 means v1.
		{"ecs_compatibility", map[bool]string{true: "v1", false: "disabled"}[ecs]},
	})
	if err != nil {
		return nil, err
	}
	dateAttrs := []attr{{"match", []any{"timestamp", "MMM dd HH:mm:ss", "MMM  d HH:mm:ss", "MMM d HH:mm:ss", "ISO8601"}}}
	if optLocale.IsSet(s) {
		dateAttrs = append(dateAttrs, attr{"locale", optLocale.Get(s)})
	}
	if optTimezone.IsSet(s) {
		dateAttrs = append(dateAttrs, attr{"timezone", optTimezone.Get(s)})
	}
	r.date, err = buildFilter(s, "date", optTimezone, dateAttrs)
	if err != nil {
		return nil, err
	}
	return r, nil
}

type attr struct {
	name  string
	value any
}

type hashValue [][2]string

func hash(k, v string) hashValue { return hashValue{{k, v}} }

// buildFilter builds a filter plugin from option values; an error is
// located at the syslog option the values come from.
func buildFilter(s *plugin.Settings, name string, at plugin.Handle, attrs []attr) (plugin.Filter, error) {
	pos := at.Pos(s)
	p := &lang.Plugin{Name: name, Pos: pos}
	for _, a := range attrs {
		p.Attributes = append(p.Attributes, &lang.Attribute{Name: a.name, Pos: pos, Value: astValue(a.value, pos)})
	}
	inst, diags := plugin.Build(plugin.KindFilter, p, &plugin.BuildContext{Pipeline: s.Pipeline()})
	if inst == nil {
		var msg string
		for _, d := range diags {
			if d.Severity == lang.Error {
				msg = d.Summary
				break
			}
		}
		return nil, at.Errorf(s, "%s", msg)
	}
	return inst.Plugin.(plugin.Filter), nil
}

func astValue(v any, pos lang.Pos) lang.Value {
	switch t := v.(type) {
	case string:
		return &lang.String{Pos: pos, Value: t, Quote: '"'}
	case []any:
		a := &lang.Array{Pos: pos}
		for _, it := range t {
			a.Items = append(a.Items, astValue(it, pos))
		}
		return a
	case hashValue:
		h := &lang.Hash{Pos: pos}
		for _, kv := range t {
			h.Entries = append(h.Entries, &lang.HashEntry{Pos: pos, Key: &lang.String{Pos: pos, Value: kv[0], Quote: '"'}, Value: &lang.String{Pos: pos, Value: kv[1], Quote: '"'}})
		}
		return h
	}
	panic(fmt.Sprintf("syslog: no config value for %T", v))
}

var (
	eventOriginal  = event.MustFieldRef("[event][original]")
	serviceTypeRef = event.MustFieldRef("[service][type]")
	timestampRef   = event.MustFieldRef("timestamp")
	timestamp8601  = event.MustFieldRef("timestamp8601")
)

// apply parses a decoded event, as Logstash's syslog_relay does. Logstash
// checks for the parse failure with tags.include?(tag_on_failure), and
// tag_on_failure is an array, so the check never finds it: a line that is
// not RFC 3164 is tagged, yet takes the matched path with the priority of
// a missing field, nil.to_i = 0 (kernel, Emergency), and goes through the
// date filter. gostash does the same.
func (r *relay) apply(e *event.Event) {
	if r.ecs {
		v, _ := e.GetRef(r.syslogField)
		e.SetRef(eventOriginal, v)
	}
	r.grok.Filter(e, nil)
	if r.ecs && r.serviceType != "" {
		if _, ok := e.GetRef(serviceTypeRef); !ok {
			e.SetRef(serviceTypeRef, r.serviceType)
		}
	}
	p, _ := e.GetRef(r.keys.priority)
	priority, ok := toI(p)
	if !ok {
		priority = 13
	}
	e.SetRef(r.keys.priority, priority)
	e.SetRef(r.keys.severity, priority&7)
	e.SetRef(r.keys.facility, priority>>3)
	if r.ecs {
		r.date.Filter(e, nil)
		e.RemoveRef(timestampRef)
	} else {
		if v, ok := e.GetRef(timestamp8601); ok {
			e.SetRef(timestampRef, v)
		}
		r.date.Filter(e, nil)
	}
	if r.useLabels {
		r.setLabels(e)
	}
}

func (r *relay) setLabels(e *event.Event) {
	label := func(labels []string, code any) (string, bool) {
		i, ok := code.(int64)
		if ok && i < 0 {
			i += int64(len(labels)) // Ruby arrays count negative indexes from the end
		}
		if !ok || i < 0 || i >= int64(len(labels)) {
			return "", false
		}
		return labels[i], true
	}
	f, _ := e.GetRef(r.keys.facility)
	if name, ok := label(r.facilityLabels, f); ok {
		e.SetRef(r.keys.facilityLabel, name)
	}
	s, _ := e.GetRef(r.keys.severity)
	if name, ok := label(r.severityLabels, s); ok {
		e.SetRef(r.keys.severityLabel, name)
	}
}
