package elasticsearch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHosts = plugin.URIList("hosts").Default([]string{"//127.0.0.1"}).Validate(checkHosts).
			Doc("Hosts to send to: `host`, `host:port` or URLs with scheme, credentials and path; port 9200 and http unless given (https when TLS is on).")
	optIndex = plugin.String("index").
			Doc("Index written to, sprintf'ed per event (`%{+yyyy.MM.dd}` formats @timestamp). Default `logstash-%{+yyyy.MM.dd}` with ECS disabled, `ecs-logstash-%{+yyyy.MM.dd}` otherwise; replaced by the data stream or the ILM rollover alias when those are in use.")
	optAction = plugin.String("action").
			Doc("Bulk action: index, create, update or delete, or a sprintf pattern giving one per event. Default index (create for data streams).")
	optDocumentID = plugin.String("document_id").Doc("Document id, sprintf'ed per event; the server makes one up when unset. Needed by update.")
	optRouting    = plugin.String("routing").Doc("Routing value, sprintf'ed per event.")
	optPipeline   = plugin.String("pipeline").Doc("Ingest pipeline, sprintf'ed per event; none when it renders empty.")
	optDocType    = plugin.String("document_type").
			Deprecated("Document types were deprecated in Elasticsearch 7.0, and no longer configurable since 8.0. You should avoid this feature.").
			Doc("Document type, sent as _type to Elasticsearch 7 only.")
	optParent    = plugin.String("parent").Doc("Parent document id, sprintf'ed per event (with join_field: the join's parent).")
	optJoinField = plugin.FieldRef("join_field").Doc("Join field: its value becomes {name, parent} and routing the parent.")

	optVersion     = plugin.String("version").Doc("Document version for versioned writes, sprintf'ed per event.")
	optVersionType = plugin.Enum("version_type", "internal", "external", "external_gt", "external_gte", "force").Doc("How version is compared; external kinds need version and cannot be used with create or update.")

	optUpsert          = plugin.String("upsert").Default("").Doc("JSON document (sprintf'ed) inserted by update when the document does not exist.")
	optDocAsUpsert     = plugin.Bool("doc_as_upsert").Default(false).Doc("With update, insert the event itself when the document does not exist.")
	optScript          = plugin.String("script").Default("").Doc("With update, a script (sprintf'ed) run on the document; the event is its parameter script_var_name.")
	optScriptType      = plugin.Enum("script_type", "inline", "indexed", "file").Default("inline").Doc("Whether script is the source (inline), a stored script's id (indexed) or a file name (file).")
	optScriptLang      = plugin.String("script_lang").Default("painless").Doc("Script language; empty to leave it to the server.")
	optScriptVarName   = plugin.String("script_var_name").Default("event").Doc("Name of the script parameter holding the event.")
	optScriptedUpsert  = plugin.Bool("scripted_upsert").Default(false).Doc("Run the script when the document does not exist too.")
	optRetryOnConflict = plugin.Int("retry_on_conflict").Default(1).Doc("How often the server retries an update that hit a version conflict.")

	optManageTemplate    = plugin.Bool("manage_template").Default(true).Doc("Install an index template at start-up (off by default with data streams).")
	optTemplateName      = plugin.String("template_name").Doc("Name of the installed template; default `logstash`, or `ecs-logstash` with ECS.")
	optTemplate          = plugin.Path("template").Doc("JSON file of the template to install instead of the default one.")
	optTemplateOverwrite = plugin.Bool("template_overwrite").Default(false).Doc("Replace a template of the same name that already exists.")
	optTemplateAPI       = plugin.Enum("template_api", "auto", "legacy", "composable").Default("auto").Doc("Template API: composable (_index_template), legacy (_template), or auto (composable from Elasticsearch 8).")

	optILMEnabled       = plugin.Enum("ilm_enabled", "true", "false", "auto").Default("auto").Doc("Index lifecycle management: on with the default index or a custom rollover alias (auto), always, or never. OpenSearch has none: setting any ilm_* option against it is an error.")
	optILMRolloverAlias = plugin.String("ilm_rollover_alias").Doc("Write alias when ILM is on; default `logstash`, or `ecs-logstash` with ECS.")
	optILMPattern       = plugin.String("ilm_pattern").Default("{now/d}-000001").Doc("Suffix of the first index behind the rollover alias.")
	optILMPolicy        = plugin.String("ilm_policy").Default("logstash-policy").Doc("ILM policy; the default one is created when missing, a custom one must exist.")

	optDataStream          = plugin.Enum("data_stream", "true", "false", "auto").Doc("Write to a data stream. Unset or auto: on when ECS is on and no option conflicts with data streams.")
	optDataStreamType      = plugin.Enum("data_stream_type", "logs", "metrics", "synthetics", "traces").Default("logs").Doc("Type part of the data stream name.")
	optDataStreamDataset   = plugin.String("data_stream_dataset").Default("generic").Validate(checkIdentifier).Doc("Dataset part of the data stream name.")
	optDataStreamNamespace = plugin.String("data_stream_namespace").Default("default").Validate(checkIdentifier).Doc("Namespace part of the data stream name.")
	optDataStreamSync      = plugin.Bool("data_stream_sync_fields").Default(true).Doc("Fill the event's data_stream.type/dataset/namespace from the settings when sending.")
	optDataStreamRouting   = plugin.Bool("data_stream_auto_routing").Default(true).Doc("Route each event by its own data_stream.* fields where present.")

	optPath            = plugin.String("path").Doc("Path prefix of the server's HTTP API, for servers behind a proxy; not with a path in hosts.")
	optBulkPath        = plugin.String("bulk_path").Doc("Path of bulk requests; default <path>/_bulk with a filter_path keeping only errors and statuses.")
	optParameters      = plugin.Hash("parameters").Doc("Query parameters added to every request.")
	optSniffing        = plugin.Bool("sniffing").Default(false).Doc("Ask the cluster for its nodes (GET _nodes/http) and send to all of them.")
	optSniffingDelay   = plugin.Float("sniffing_delay").Default(5).Doc("Seconds between sniffs.")
	optSniffingPath    = plugin.String("sniffing_path").Doc("Path of the sniff request; default <path>/_nodes/http.")
	optHealthcheckPath = plugin.String("healthcheck_path").Doc("Path HEADed to check a host; default <path>.")
	optTimeout         = plugin.Float("timeout").Default(60).Doc("Seconds a request may take (connecting, sending and reading).")
	optPoolMax         = plugin.Int("pool_max").Default(1000).Doc("Most connections kept open overall.")
	optPoolMaxPerRoute = plugin.Int("pool_max_per_route").Default(100).Doc("Most connections to one host.")
	optResurrectDelay  = plugin.Float("resurrect_delay").Default(5).Doc("Seconds between checks of hosts marked dead.")
	optValidateAfter   = plugin.Int("validate_after_inactivity").Default(10000).Doc("Milliseconds after which an idle connection is not reused.")
	optHTTPCompression = plugin.Bool("http_compression").Default(true).Deprecated("Set 'compression_level' instead.").Doc("Gzip request bodies (compression_level 1), or not (0).")
	optCompression     = plugin.Int("compression_level").Default(1).Between(0, 9).Doc("Gzip level of request bodies; 0 sends them uncompressed.")

	optRetryInitial = plugin.Float("retry_initial_interval").Default(2).Doc("Seconds before the first retry of a failed bulk request; doubled after each retry.")
	optRetryMax     = plugin.Float("retry_max_interval").Default(64).Doc("Longest wait between retries, in seconds.")

	optSilenceErrors  = plugin.Strings("silence_errors_in_log").Default([]string{}).Doc("Error types (such as version_conflict_engine_exception) not logged.")
	optFailureTypeLog = plugin.Strings("failure_type_logging_whitelist").Default([]string{}).
				Deprecated("'failure_type_logging_whitelist' is deprecated and in a future version of Elasticsearch output plugin will be removed, please use 'silence_errors_in_log' instead.").
				Doc("Old name of silence_errors_in_log.")
	optDLQCustomCodes   = plugin.Array("dlq_custom_codes").Default([]any{}).Validate(checkCodes).Doc("Item statuses sent to the dead letter queue besides 400 and 404; needs the DLQ.")
	optDLQOnIndexFormat = plugin.Bool("dlq_on_failed_indexname_interpolation").Default(true).Doc("An index still holding %{...} after sprintf sends the event to the DLQ (or the log) instead of to the server.")
	optDropErrorTypes   = plugin.StringList("drop_error_types").Default([]string{}).Doc("Item error types dropped without retry, like conflicts.")

	obsolete = []plugin.Declared{
		plugin.Any("ssl").Obsolete("Set 'ssl_enabled' instead."),
		plugin.Any("ssl_certificate_verification").Obsolete("Set 'ssl_verification_mode' instead."),
		plugin.Any("cacert").Obsolete("Set 'ssl_certificate_authorities' instead."),
		plugin.Any("truststore").Obsolete("Set 'ssl_truststore_path' instead."),
		plugin.Any("keystore").Obsolete("Set 'ssl_keystore_path' instead."),
		plugin.Any("truststore_password").Obsolete("Use 'ssl_truststore_password' instead."),
		plugin.Any("keystore_password").Obsolete("Set 'ssl_keystore_password' instead."),
	}
)

func options() []plugin.Declared {
	opts := []plugin.Declared{optHosts, optIndex, optAction, optDocumentID, optRouting, optPipeline, optDocType, optParent, optJoinField,
		optVersion, optVersionType, optUpsert, optDocAsUpsert, optScript, optScriptType, optScriptLang, optScriptVarName, optScriptedUpsert, optRetryOnConflict,
		optManageTemplate, optTemplateName, optTemplate, optTemplateOverwrite, optTemplateAPI,
		optILMEnabled, optILMRolloverAlias, optILMPattern, optILMPolicy,
		optDataStream, optDataStreamType, optDataStreamDataset, optDataStreamNamespace, optDataStreamSync, optDataStreamRouting,
		optPath, optBulkPath, optParameters, optSniffing, optSniffingDelay, optSniffingPath, optHealthcheckPath, optTimeout,
		optPoolMax, optPoolMaxPerRoute, optResurrectDelay, optValidateAfter, optHTTPCompression, optCompression,
		optRetryInitial, optRetryMax, optSilenceErrors, optFailureTypeLog, optDLQCustomCodes, optDLQOnIndexFormat, optDropErrorTypes}
	opts = append(opts, esclient.SecurityOptions()...)
	opts = append(opts, obsolete...)
	return append(opts, plugin.ECS)
}

// connectionOptions are the options of Logstash's api_configs (the
// connection), which never stand in the way of data streams.
var connectionOptions = map[string]bool{}

func init() {
	for _, o := range []plugin.Declared{optHosts, optDocumentID, optPath, optBulkPath, optParameters, optSniffing, optSniffingDelay, optSniffingPath,
		optHealthcheckPath, optTimeout, optPoolMax, optPoolMaxPerRoute, optResurrectDelay, optValidateAfter, optHTTPCompression, optCompression,
		optRetryInitial, optRetryMax, optSilenceErrors, optFailureTypeLog, optDLQCustomCodes, optDLQOnIndexFormat, optDropErrorTypes} {
		connectionOptions[o.Declaration().Name] = true
	}
	for _, o := range append(esclient.SecurityOptions(), obsolete...) {
		connectionOptions[o.Declaration().Name] = true
	}
	for _, name := range []string{"id", "enable_metric", "codec", "workers", "ecs_compatibility"} {
		connectionOptions[name] = true
	}
}

func checkHosts(hosts []string) error {
	for _, h := range hosts {
		if _, err := esclient.ParseHost(h); err != nil {
			return err
		}
	}
	return nil
}

// checkIdentifier is Logstash's rule for data stream datasets and
// namespaces.
func checkIdentifier(v string) error {
	switch {
	case v == "":
		return errors.New("Invalid identifier - empty string")
	case len(v) > 100:
		return fmt.Errorf("Invalid identifier - too long (%d bytes)", len(v))
	case strings.ContainsAny(v, `\/*?"<>| ,#:`):
		return errors.New(`Invalid characters detected ["\\", "/", "*", "?", "\"", "<", ">", "|", " ", ",", "#", ":"] are not allowed`)
	}
	return nil
}

func checkCodes(codes []any) error {
	for _, c := range codes {
		if _, ok := c.(int64); !ok {
			return fmt.Errorf("Expected number, got %v", c)
		}
	}
	return nil
}
