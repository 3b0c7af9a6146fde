package esoutput

import (
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// The options the elasticsearch and opensearch outputs share, with
// Logstash's names and defaults.
var (
	OptHosts = plugin.URIList("hosts").Default([]string{"//127.0.0.1"}).Validate(checkHosts).
			Doc("Hosts to send to: `host`, `host:port` or URLs with scheme, credentials and path; port 9200 and http unless given (https when TLS is on).")
	OptDocumentID = plugin.String("document_id").Doc("Document id, sprintf'ed per event; the server makes one up when unset. Needed by update.")
	OptRouting    = plugin.String("routing").Doc("Routing value, sprintf'ed per event.")
	OptPipeline   = plugin.String("pipeline").Doc("Ingest pipeline, sprintf'ed per event; none when it renders empty.")
	OptDocType    = plugin.String("document_type").
			Deprecated("Document types were deprecated in Elasticsearch 7.0, and no longer configurable since 8.0. You should avoid this feature.").
			Doc("Document type, sent as _type (by the elasticsearch output only to Elasticsearch 7).")
	OptParent            = plugin.String("parent").Doc("Parent document id, sprintf'ed per event (with join_field: the join's parent).")
	OptJoinField         = plugin.FieldRef("join_field").Doc("Join field: its value becomes {name, parent} and routing the parent.")
	OptVersion           = plugin.String("version").Doc("Document version for versioned writes, sprintf'ed per event.")
	OptVersionType       = plugin.Enum("version_type", "internal", "external", "external_gt", "external_gte", "force").Doc("How version is compared; external kinds need version and cannot be used with create or update.")
	OptUpsert            = plugin.String("upsert").Default("").Doc("JSON document (sprintf'ed) inserted by update when the document does not exist.")
	OptDocAsUpsert       = plugin.Bool("doc_as_upsert").Default(false).Doc("With update, insert the event itself when the document does not exist.")
	OptScript            = plugin.String("script").Default("").Doc("With update, a script (sprintf'ed) run on the document; the event is its parameter script_var_name.")
	OptScriptType        = plugin.Enum("script_type", "inline", "indexed", "file").Default("inline").Doc("Whether script is the source (inline), a stored script's id (indexed) or a file name (file).")
	OptScriptLang        = plugin.String("script_lang").Default("painless").Doc("Script language; empty to leave it to the server.")
	OptScriptVarName     = plugin.String("script_var_name").Default("event").Doc("Name of the script parameter holding the event.")
	OptScriptedUpsert    = plugin.Bool("scripted_upsert").Default(false).Doc("Run the script when the document does not exist too.")
	OptRetryOnConflict   = plugin.Int("retry_on_conflict").Default(1).Doc("How often the server retries an update that hit a version conflict.")
	OptManageTemplate    = plugin.Bool("manage_template").Default(true).Doc("Install an index template at start-up (off by default with data streams).")
	OptTemplateName      = plugin.String("template_name").Doc("Name of the installed template; default `logstash`, or `ecs-logstash` with ECS.")
	OptTemplate          = plugin.Path("template").Doc("JSON file of the template to install instead of the default one.")
	OptTemplateOverwrite = plugin.Bool("template_overwrite").Default(false).Doc("Replace a template of the same name that already exists.")
	OptPath              = plugin.String("path").Doc("Path prefix of the server's HTTP API, for servers behind a proxy; not with a path in hosts.")
	OptBulkPath          = plugin.String("bulk_path").Doc("Path of bulk requests; default <path>/_bulk (the elasticsearch output adds a filter_path keeping only errors and statuses).")
	OptParameters        = plugin.Hash("parameters").Doc("Query parameters added to every request.")
	OptSniffing          = plugin.Bool("sniffing").Default(false).Doc("Ask the cluster for its nodes (GET _nodes/http) and send to all of them.")
	OptSniffingDelay     = plugin.Float("sniffing_delay").Default(5).Doc("Seconds between sniffs.")
	OptSniffingPath      = plugin.String("sniffing_path").Doc("Path of the sniff request; default <path>/_nodes/http.")
	OptHealthcheckPath   = plugin.String("healthcheck_path").Doc("Path HEADed to check a host; default <path>.")
	OptTimeout           = plugin.Float("timeout").Default(60).Doc("Seconds a request may take (connecting, sending and reading).")
	OptPoolMax           = plugin.Int("pool_max").Default(1000).Doc("Most connections kept open overall.")
	OptPoolMaxPerRoute   = plugin.Int("pool_max_per_route").Default(100).Doc("Most connections to one host.")
	OptResurrectDelay    = plugin.Float("resurrect_delay").Default(5).Doc("Seconds between checks of hosts marked dead.")
	OptValidateAfter     = plugin.Int("validate_after_inactivity").Default(10000).Doc("Milliseconds after which an idle connection is not reused.")
	OptRetryInitial      = plugin.Float("retry_initial_interval").Default(2).Doc("Seconds before the first retry of a failed bulk request; doubled after each retry.")
	OptRetryMax          = plugin.Float("retry_max_interval").Default(64).Doc("Longest wait between retries, in seconds.")
)

func checkHosts(hosts []string) error {
	for _, h := range hosts {
		if _, err := esclient.ParseHost(h); err != nil {
			return err
		}
	}
	return nil
}

// CheckWriteOptions are the cross-option checks of Logstash's client
// builder; action is the plugin's action option.
func CheckWriteOptions(s *plugin.Settings, actionOpt plugin.Opt[string]) error {
	action := actionOpt.Get(s)
	external := map[string]bool{"external": true, "external_gt": true, "external_gte": true}
	vt := OptVersionType.Get(s)
	switch {
	case external[vt] && !OptVersion.IsSet(s):
		return OptVersionType.Errorf(s, "External versioning requires the presence of a version number.")
	case action == "create" && external[vt]:
		return OptVersionType.Errorf(s, "External versioning is not supported by the create action.")
	case OptDocAsUpsert.Get(s) && OptScriptedUpsert.Get(s):
		return OptDocAsUpsert.Errorf(s, "doc_as_upsert and scripted_upsert are mutually exclusive.")
	case action == "update" && OptDocumentID.Get(s) == "":
		return actionOpt.Errorf(s, "Specifying action => 'update' needs a document_id.")
	case action == "update" && external[vt]:
		return OptVersionType.Errorf(s, "External versioning is not supported by the update action. See https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-update.html.")
	}
	return nil
}

// NewMapper compiles the shared per-event options; action is the
// plugin's action option and index its resolved write target (errors are
// located at indexOpt).
func NewMapper(s *plugin.Settings, action plugin.Opt[string], indexOpt plugin.Opt[string], index string, log *slog.Logger) (*Mapper, error) {
	m := &Mapper{
		RetryOnConflict: OptRetryOnConflict.Get(s),
		DocAsUpsert:     OptDocAsUpsert.Get(s),
		ScriptedUpsert:  OptScriptedUpsert.Get(s),
		ScriptType:      OptScriptType.Get(s),
		ScriptLang:      OptScriptLang.Get(s),
		ScriptVarName:   OptScriptVarName.Get(s),
		Log:             log,
	}
	compile := func(opt plugin.Opt[string]) (*event.Template, error) {
		if !opt.IsSet(s) || (opt.Name() == "upsert" || opt.Name() == "script") && opt.Get(s) == "" {
			return nil, nil
		}
		t, err := event.CompileTemplate(opt.Get(s))
		if err != nil {
			return nil, opt.Errorf(s, "%v", err)
		}
		return t, nil
	}
	var err error
	for _, f := range []struct {
		dst *(*event.Template)
		opt plugin.Opt[string]
	}{{&m.Action, action}, {&m.DocumentID, OptDocumentID}, {&m.Routing, OptRouting}, {&m.Pipeline, OptPipeline},
		{&m.Version, OptVersion}, {&m.DocumentType, OptDocType}, {&m.Parent, OptParent}, {&m.Upsert, OptUpsert}, {&m.Script, OptScript}} {
		if *f.dst, err = compile(f.opt); err != nil {
			return nil, err
		}
	}
	if OptVersionType.IsSet(s) {
		m.VersionType = event.MustTemplate(OptVersionType.Get(s))
	}
	if OptJoinField.IsSet(s) {
		ref, err := event.ParseFieldRef(OptJoinField.Get(s))
		if err != nil {
			return nil, OptJoinField.Errorf(s, "%v", err)
		}
		m.JoinField = &ref
	}
	if m.Index, err = event.CompileTemplate(index); err != nil {
		return nil, indexOpt.Errorf(s, "%v", err)
	}
	return m, nil
}

// Seconds turns an option's seconds into a duration.
func Seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// Hosts parses the hosts option.
func Hosts(s *plugin.Settings) ([]*url.URL, error) {
	var hosts []*url.URL
	for _, h := range OptHosts.Get(s) {
		u, err := esclient.ParseHost(h)
		if err != nil {
			return nil, OptHosts.Errorf(s, "%v", err)
		}
		hosts = append(hosts, u)
	}
	return hosts, nil
}

// ClientConfig is the client configuration the shared connection options
// and the plugin's security settings describe, paths resolved as
// Logstash's client builder resolves them.
func ClientConfig(s *plugin.Settings, sec *esclient.Security, log *slog.Logger) (esclient.Config, error) {
	path := ""
	if OptPath.IsSet(s) {
		path = esclient.JoinPath(OptPath.Get(s)) + "/"
	}
	cfg := esclient.Config{
		Hosts: sec.Hosts,
		HostSettings: esclient.HostSettings{
			Scheme: sec.Scheme, User: sec.User, Password: sec.Password, Path: path,
			Parameters: OptParameters.Get(s), Sniffing: OptSniffing.Get(s),
		},
		Proxy:           sec.Proxy,
		Timeout:         Seconds(OptTimeout.Get(s)),
		PoolMax:         int(OptPoolMax.Get(s)),
		PoolMaxPerRoute: int(OptPoolMaxPerRoute.Get(s)),
		IdleTimeout:     time.Duration(OptValidateAfter.Get(s)) * time.Millisecond,
		Header:          sec.Header,
		HealthcheckPath: esclient.JoinPath(OptPath.Get(s)),
		SniffingPath:    esclient.JoinPath(OptPath.Get(s), "_nodes/http"),
		ResurrectDelay:  Seconds(OptResurrectDelay.Get(s)),
		Sniffing:        OptSniffing.Get(s),
		SniffingDelay:   Seconds(OptSniffingDelay.Get(s)),
		Logger:          log,
	}
	if OptHealthcheckPath.IsSet(s) {
		cfg.HealthcheckPath = esclient.JoinPath(OptHealthcheckPath.Get(s))
	}
	if OptSniffingPath.IsSet(s) {
		cfg.SniffingPath = esclient.JoinPath(OptSniffingPath.Get(s))
	}
	if sec.TLS != nil {
		tlsConfig, err := sec.TLS.Config()
		if err != nil {
			return cfg, s.Errorf("TLS settings: %v", err)
		}
		cfg.TLS = tlsConfig
	}
	return cfg, nil
}

// BulkPath is <path>/_bulk or bulk_path; with filterPath, a filter_path
// keeping only what the item handling reads is added unless bulk_path has
// one (the elasticsearch output does this, the opensearch output not).
func BulkPath(s *plugin.Settings, filterPath bool) string {
	p := esclient.JoinPath(OptPath.Get(s), "_bulk")
	if OptBulkPath.IsSet(s) {
		p = esclient.JoinPath(OptBulkPath.Get(s))
	}
	if !filterPath || strings.Contains(p, "?filter_path=") || strings.Contains(p, "&filter_path=") {
		return p
	}
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	return p + sep + "filter_path=errors,items.*.error,items.*.status"
}

var sprintfPattern = regexp.MustCompile(`%\{.+\}`)

// CheckAction is Logstash's check_action_validity: a set action is one
// the bulk API has, or a sprintf pattern checked per event.
func CheckAction(s *plugin.Settings, action plugin.Opt[string]) error {
	if !action.IsSet(s) {
		return nil
	}
	switch a := action.Get(s); {
	case a == "":
		return action.Errorf(s, "No action specified!")
	case sprintfPattern.MatchString(a), validActions[a]:
		return nil
	default:
		return action.Errorf(s, `Action '%s' is invalid! Pick one of ["index", "delete", "create", "update"] or use a sprintf style statement`, a)
	}
}
