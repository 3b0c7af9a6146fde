// Package netflow is Logstash's netflow codec: NetFlow v5, v9 and IPFIX
// (v10) packets, as the udp input receives them, decode into one event per
// flow record under [netflow], with the field names of Logstash's
// netflow.yaml and ipfix.yaml.
package netflow

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optVersions = plugin.Array("versions").Default([]any{int64(5), int64(9), int64(10)}).Validate(checkVersions).
			Doc("The NetFlow versions to decode (5, 9 and 10 for IPFIX); packets of other versions are logged and dropped.")
	optTarget   = plugin.String("target").Default("netflow").Doc("The top-level field each flow record's fields go under.")
	optCacheTTL = plugin.Float("cache_ttl").Default(4000).AtLeast(0).
			Doc("Seconds a v9 or IPFIX template is kept after it last arrived; data for an expired template is dropped until the exporter sends it again.")
	optCacheSavePath = plugin.Path("cache_save_path").
				Doc("A directory to keep templates in (netflow_templates.cache and ipfix_templates.cache, Logstash's format), read at start so data decodes before the exporter resends its templates.")
	optIncludeFlowsetID = plugin.Bool("include_flowset_id").Default(false).
				Doc("Add `flowset_id` (the template id) to IPFIX events; v9 events always have it.")
	optNetflowDefinitions = plugin.Path("netflow_definitions").
				Doc("A YAML file of NetFlow v9 fields (`id: [type or length, name]`, as Logstash's netflow.yaml) that add to or replace the built-in ones.")
	optIPFIXDefinitions = plugin.Path("ipfix_definitions").
				Doc("A YAML file of IPFIX fields by enterprise number (`pen: {id: [type, name]}`, as Logstash's ipfix.yaml); an enterprise it names replaces that enterprise's built-in fields, 0 being IANA's.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "netflow",
			Summary: "NetFlow v5, v9 and IPFIX packets: each flow record decodes into an event; v9 and IPFIX templates are kept per exporter.",
			Options: []plugin.Declared{optVersions, optTarget, optCacheTTL, optCacheSavePath, optIncludeFlowsetID, optNetflowDefinitions, optIPFIXDefinitions},
		},
		New: newCodec,
	})
}

func checkVersions(v []any) error {
	for _, x := range v {
		n, ok := x.(int64)
		if !ok || n != 5 && n != 9 && n != 10 {
			return fmt.Errorf("%s is not a NetFlow version this codec decodes: 5, 9 or 10 (IPFIX)", event.ValueString(x))
		}
	}
	return nil
}

// shared is the state of one codec declaration that all its instances
// use: the field definitions and the template caches.
type shared struct {
	netflowDefs map[uint16]definition
	ipfixDefs   map[uint32]map[uint16]definition
	v9, ipfix   *registry
}

// Codec is a netflow codec instance; its templates are shared with the
// other instances of its declaration (each udp worker has one).
type Codec struct {
	log              *slog.Logger
	versions         [11]bool
	target           string
	includeFlowsetID bool
	*shared
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{log: s.Logger(), target: optTarget.Get(s), includeFlowsetID: optIncludeFlowsetID.Get(s)}
	for _, v := range optVersions.Get(s) {
		c.versions[v.(int64)] = true
	}
	dir := optCacheSavePath.Get(s)
	if optCacheSavePath.IsSet(s) {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return nil, optCacheSavePath.Errorf(s, "%s is not a directory", dir)
		}
	}
	netflowDefs, ipfixDefs := netflowFields, ipfixFields
	var err error
	if optNetflowDefinitions.IsSet(s) {
		if netflowDefs, err = readNetflowDefinitions(optNetflowDefinitions.Get(s), netflowFields); err != nil {
			return nil, optNetflowDefinitions.Errorf(s, "%v", err)
		}
	}
	if optIPFIXDefinitions.IsSet(s) {
		if ipfixDefs, err = readIPFIXDefinitions(optIPFIXDefinitions.Get(s), ipfixFields); err != nil {
			return nil, optIPFIXDefinitions.Errorf(s, "%v", err)
		}
	}
	ttl := time.Duration(optCacheTTL.Get(s) * float64(time.Second))
	// The config is built once to check it and again for each instance;
	// the first build makes the state every instance of the declaration
	// shares.
	c.shared = s.PipelineShared("codec netflow "+s.ID(), func() any {
		sh := &shared{netflowDefs: netflowDefs, ipfixDefs: ipfixDefs}
		cache := func(name string) string {
			if dir == "" {
				return ""
			}
			return filepath.Join(dir, name)
		}
		sh.v9 = newRegistry(c.log, ttl, cache("netflow_templates.cache"))
		sh.ipfix = newRegistry(c.log, ttl, cache("ipfix_templates.cache"))
		return sh
	}).(*shared)
	return c, nil
}

// Decode decodes one packet whose sender is not known.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.decode(data, "", emit)
}

// DecodeFrom decodes one packet that exporter sent; its templates are
// kept apart from other exporters'.
func (c *Codec) DecodeFrom(data []byte, exporter string, emit func(*event.Event)) {
	c.decode(data, exporter, emit)
}

// Flush has nothing to do: every packet stands alone.
func (c *Codec) Flush(func(*event.Event)) {}

// Encode writes nothing: the codec only decodes, as Logstash's.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	warnEncodeOnce.Do(func() { c.log.Error("The netflow codec only decodes; events given to it to encode are not written") })
	return dst
}

var warnEncodeOnce sync.Once
