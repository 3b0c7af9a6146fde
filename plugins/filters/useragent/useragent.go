// Package useragent is Logstash's useragent filter: it parses a browser's
// User-Agent text into browser, operating system and device, with the
// uap-core regexes (as uap-go ships them).
package useragent

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru"
	"github.com/ua-parser/uap-go/uaparser"
	"go.yaml.in/yaml/v3"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSource       = plugin.String("source").Required().Doc("The field holding the User-Agent text (the first element of a list).")
	optTarget       = plugin.String("target").Doc("Where to write: the event root with ECS disabled, `[user_agent]` in ECS mode.")
	optRegexes      = plugin.String("regexes").Doc("A uap-core style regexes.yaml to use instead of the bundled one; it must have user_agent_parsers, os_parsers and device_parsers.")
	optPrefix       = plugin.String("prefix").Default("").Doc("Text put before every field name (ECS disabled only).")
	optLRUCacheSize = plugin.Int("lru_cache_size").Default(100000).AtLeast(1).Doc("How many User-Agent texts keep their parse.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "useragent",
			Summary: "Parses User-Agent text into browser, operating system and device.",
			Options: []plugin.Declared{optSource, optTarget, optRegexes, optPrefix, optLRUCacheSize, plugin.ECS},
		},
		New: newUserAgent,
	})
}

// The OS rule Logstash's build makes lazy, so that "Mac OS X Version
// 10.14.4 (Build 18E226)" reads 10.14.4 rather than the build number.
var (
	greedyMacOSRule = []byte(`'Mac OS X\s.{1,50}\s(\d+).(\d+).(\d+)'`)
	lazyMacOSRule   = []byte(`'Mac OS X\s.{1,50}?\s(\d+).(\d+).(\d+)'`)
)

// bundledRegexes are uap-go's uap-core regexes with Logstash's patch.
func bundledRegexes() []byte {
	return bytes.Replace(uaparser.DefinitionYaml, greedyMacOSRule, lazyMacOSRule, 1)
}

// defaultParser is the parser over the bundled regexes, compiled once and
// shared: parsing has no per-filter state.
var defaultParser = sync.OnceValues(func() (*uaparser.Parser, error) {
	return newParser(bundledRegexes())
})

// newParser compiles a regexes file. uap-go's own cache is kept to one
// entry: the filter caches whole results.
func newParser(data []byte) (*uaparser.Parser, error) {
	var defs uaparser.RegexDefinitions
	if err := yaml.Unmarshal(data, &defs); err != nil {
		return nil, err
	}
	return uaparser.New(uaparser.WithRegexDefinitions(defs), uaparser.WithCacheSize(1))
}

type userAgent struct {
	log     *slog.Logger
	source  event.FieldRef
	remove  bool
	parser  *uaparser.Parser
	cache   *lru.Cache
	hits    atomic.Int64
	misses  atomic.Int64
	name    event.FieldRef
	device  event.FieldRef
	version event.FieldRef
	major   event.FieldRef
	minor   event.FieldRef
	patch   event.FieldRef
	osFull  event.FieldRef
	osName  event.FieldRef
	// legacyOS is the legacy layout's duplicate of os_name.
	legacyOS  *event.FieldRef
	osVersion event.FieldRef
	osMajor   event.FieldRef
	osMinor   event.FieldRef
	osPatch   event.FieldRef
}

var bracketed = regexp.MustCompile(`^\[[^\[\]]+\]$`)

func newUserAgent(s *plugin.Settings) (plugin.Filter, error) {
	f := &userAgent{log: s.Logger()}
	ecs := s.ECS() != "disabled"
	var err error
	if f.source, err = event.ParseFieldRef(optSource.Get(s)); err != nil {
		return nil, optSource.Errorf(s, "%v", err)
	}
	target := optTarget.Get(s)
	if !optTarget.IsSet(s) && ecs {
		target = "[user_agent]"
	}
	if target != "" && !bracketed.MatchString(target) {
		target = "[" + target + "]"
	}
	f.remove = optTarget.IsSet(s) && optTarget.Get(s) == optSource.Get(s)
	prefix := optPrefix.Get(s)
	if ecs && prefix != "" {
		f.log.Warn(fmt.Sprintf("Field prefix isn't supported in ECS compatibility mode, please remove `prefix => %s`", ruby.Inspect(prefix)))
	}
	refs := []struct {
		ref            *event.FieldRef
		legacy, ecsRef string
	}{
		{&f.name, target + "[" + prefix + "name]", target + "[name]"},
		{&f.device, target + "[" + prefix + "device]", target + "[device][name]"},
		{&f.version, target + "[" + prefix + "version]", target + "[version]"},
		{&f.major, target + "[" + prefix + "major]", "[@metadata][filter][user_agent][version][major]"},
		{&f.minor, target + "[" + prefix + "minor]", "[@metadata][filter][user_agent][version][minor]"},
		{&f.patch, target + "[" + prefix + "patch]", "[@metadata][filter][user_agent][version][patch]"},
		{&f.osFull, target + "[" + prefix + "os_full]", target + "[os][full]"},
		{&f.osName, target + "[" + prefix + "os_name]", target + "[os][name]"},
		{&f.osVersion, target + "[" + prefix + "os_version]", target + "[os][version]"},
		{&f.osMajor, target + "[" + prefix + "os_major]", "[@metadata][filter][user_agent][os][version][major]"},
		{&f.osMinor, target + "[" + prefix + "os_minor]", "[@metadata][filter][user_agent][os][version][minor]"},
		{&f.osPatch, target + "[" + prefix + "os_patch]", "[@metadata][filter][user_agent][os][version][patch]"},
	}
	for _, r := range refs {
		text := r.legacy
		if ecs {
			text = r.ecsRef
		}
		if *r.ref, err = event.ParseFieldRef(text); err != nil {
			return nil, optTarget.Errorf(s, "%v", err)
		}
	}
	if !ecs {
		legacy, err := event.ParseFieldRef(target + "[" + prefix + "os]")
		if err != nil {
			return nil, optPrefix.Errorf(s, "%v", err)
		}
		f.legacyOS = &legacy
	}
	if optRegexes.IsSet(s) {
		if f.parser, err = customParser(optRegexes.Get(s)); err != nil {
			return nil, optRegexes.Errorf(s, "%v", err)
		}
	} else if f.parser, err = defaultParser(); err != nil {
		return nil, s.Errorf("the bundled regexes: %v", err)
	}
	f.cache, _ = lru.New(int(optLRUCacheSize.Get(s)))
	return f, nil
}

// customParser reads a regexes file, which must define all three parser
// lists.
func customParser(path string) (*uaparser.Parser, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lists map[string]any
	if err := yaml.Unmarshal(data, &lists); err != nil {
		return nil, err
	}
	for _, key := range []string{"user_agent_parsers", "os_parsers", "device_parsers"} {
		if _, ok := lists[key]; !ok {
			return nil, fmt.Errorf("%s: the regexes file has no %s", path, key)
		}
	}
	return newParser(data)
}

// parse is the cached parse of a User-Agent text.
func (f *userAgent) parse(ua string) *uaparser.Client {
	if c, ok := f.cache.Get(ua); ok {
		f.hits.Add(1)
		return c.(*uaparser.Client)
	}
	f.misses.Add(1)
	c := f.parser.Parse(ua)
	f.cache.Add(ua, c)
	return c
}

// Filter writes the parse; an empty or missing source is left alone.
func (f *userAgent) Filter(e *event.Event, _ func(*event.Event)) bool {
	v, _ := e.GetRef(f.source)
	if l, ok := v.([]any); ok {
		v = nil
		if len(l) > 0 {
			v = l[0]
		}
	}
	ua, ok := v.(string)
	if !ok || ua == "" {
		return false
	}
	c := f.parse(ua)
	if f.remove {
		e.RemoveRef(f.source)
	}
	set := func(ref event.FieldRef, s string) {
		if s != "" {
			_ = e.SetRef(ref, s)
		}
	}
	agent := c.UserAgent
	_ = e.SetRef(f.name, agent.Family)
	if c.Device != nil {
		set(f.device, c.Device.Family)
	}
	set(f.major, agent.Major)
	set(f.minor, agent.Minor)
	set(f.patch, agent.Patch)
	if agent.Major != "" {
		version := agent.Major
		if agent.Minor != "" {
			version += "." + agent.Minor
			if agent.Patch != "" {
				version = withPatchMinor(ua, version+"."+agent.Patch)
			}
		}
		_ = e.SetRef(f.version, version)
	}
	if os := c.Os; os != nil {
		set(f.osMajor, os.Major)
		set(f.osMinor, os.Minor)
		set(f.osPatch, os.Patch)
		osVersion := osVersionText(os)
		set(f.osVersion, osVersion)
		if os.Family != "" {
			_ = e.SetRef(f.osName, os.Family)
			if f.legacyOS != nil {
				_ = e.SetRef(*f.legacyOS, os.Family)
			}
			full := os.Family
			if osVersion != "" {
				full += " " + osVersion
			}
			_ = e.SetRef(f.osFull, full)
		}
	}
	return true
}

// withPatchMinor appends the digits that follow the version in the raw
// text up to the next space (Chrome/26.0.1410.63 gives 26.0.1410.63), as
// the plugin does when the parser has no fourth version part.
func withPatchMinor(ua, version string) string {
	i := strings.Index(ua, version)
	if i < 0 {
		return version
	}
	i += len(version)
	if i >= len(ua) || ua[i] != '.' {
		return version
	}
	end := strings.IndexByte(ua[i+1:], ' ')
	if end < 0 {
		return version
	}
	digits := ua[i+1 : i+1+end]
	if n, err := strconv.Atoi(digits); err == nil && strconv.Itoa(n) == digits {
		return version + "." + digits
	}
	return version
}

// osVersionText joins the OS version parts: a space after a major that is
// not a number (Vista SP2 style), dots otherwise.
func osVersionText(os *uaparser.Os) string {
	if os.Major == "" {
		return ""
	}
	version, sep := os.Major, " "
	if n, err := strconv.Atoi(os.Major); err == nil && strconv.Itoa(n) == os.Major {
		sep = "."
	}
	if os.Minor != "" {
		version += sep + os.Minor
		if os.Patch != "" {
			version += "." + os.Patch
			if os.PatchMinor != "" {
				version += "." + os.PatchMinor
			}
		}
	}
	return version
}
