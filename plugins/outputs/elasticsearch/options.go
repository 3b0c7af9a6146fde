package elasticsearch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/plugins/internal/esoutput"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optIndex = plugin.String("index").
			Doc("Index written to, sprintf'ed per event (`%{+yyyy.MM.dd}` formats @timestamp). Default `logstash-%{+yyyy.MM.dd}` with ECS disabled, `ecs-logstash-%{+yyyy.MM.dd}` otherwise; replaced by the data stream or the ILM rollover alias when those are in use.")
	optAction = plugin.String("action").
			Doc("Bulk action: index, create, update or delete, or a sprintf pattern giving one per event. Default index (create for data streams).")

	optTemplateAPI = plugin.Enum("template_api", "auto", "legacy", "composable").Default("auto").Doc("Template API: composable (_index_template), legacy (_template), or auto (composable from Elasticsearch 8).")

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

	optHTTPCompression = plugin.Bool("http_compression").Default(true).Deprecated("Set 'compression_level' instead.").Doc("Gzip request bodies (compression_level 1), or not (0).")
	optCompression     = plugin.Int("compression_level").Default(1).Between(0, 9).Doc("Gzip level of request bodies; 0 sends them uncompressed.")

	optSilenceErrors  = plugin.Strings("silence_errors_in_log").Default([]string{}).Doc("Error types (such as version_conflict_engine_exception) not logged.")
	optFailureTypeLog = plugin.Strings("failure_type_logging_whitelist").Default([]string{}).
				Deprecated("'failure_type_logging_whitelist' is deprecated and in a future version of Elasticsearch output plugin will be removed, please use 'silence_errors_in_log' instead.").
				Doc("Old name of silence_errors_in_log.")
	optDLQCustomCodes   = plugin.Array("dlq_custom_codes").Default([]any{}).Validate(checkCodes).Doc("Item statuses sent to the dead letter queue besides 400 and 404; needs the DLQ.")
	optDLQOnIndexFormat = plugin.Bool("dlq_on_failed_indexname_interpolation").Default(true).Doc("An index still holding %{...} after sprintf sends the event to the DLQ (or the log) instead of to the server.")
	optDropErrorTypes   = plugin.StringList("drop_error_types").Default([]string{}).Doc("Item error types dropped without retry, like conflicts.")

	obsolete = []plugin.Handle{
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
	var out []plugin.Declared
	for _, h := range handles() {
		out = append(out, h)
	}
	return out
}

func handles() []plugin.Handle {
	opts := []plugin.Handle{esoutput.OptHosts, optIndex, optAction, esoutput.OptDocumentID, esoutput.OptRouting, esoutput.OptPipeline, esoutput.OptDocType, esoutput.OptParent, esoutput.OptJoinField,
		esoutput.OptVersion, esoutput.OptVersionType, esoutput.OptUpsert, esoutput.OptDocAsUpsert, esoutput.OptScript, esoutput.OptScriptType, esoutput.OptScriptLang, esoutput.OptScriptVarName, esoutput.OptScriptedUpsert, esoutput.OptRetryOnConflict,
		esoutput.OptManageTemplate, esoutput.OptTemplateName, esoutput.OptTemplate, esoutput.OptTemplateOverwrite, optTemplateAPI,
		optILMEnabled, optILMRolloverAlias, optILMPattern, optILMPolicy,
		optDataStream, optDataStreamType, optDataStreamDataset, optDataStreamNamespace, optDataStreamSync, optDataStreamRouting,
		esoutput.OptPath, esoutput.OptBulkPath, esoutput.OptParameters, esoutput.OptSniffing, esoutput.OptSniffingDelay, esoutput.OptSniffingPath, esoutput.OptHealthcheckPath, esoutput.OptTimeout,
		esoutput.OptPoolMax, esoutput.OptPoolMaxPerRoute, esoutput.OptResurrectDelay, esoutput.OptValidateAfter, optHTTPCompression, optCompression,
		esoutput.OptRetryInitial, esoutput.OptRetryMax, optSilenceErrors, optFailureTypeLog, optDLQCustomCodes, optDLQOnIndexFormat, optDropErrorTypes}
	opts = append(opts, esclient.SecurityHandles()...)
	opts = append(opts, obsolete...)
	return append(opts, plugin.ECS)
}

// connectionOptions are the options of Logstash's api_configs (the
// connection), which never stand in the way of data streams.
var connectionOptions = map[string]bool{}

func init() {
	for _, o := range []plugin.Handle{esoutput.OptHosts, esoutput.OptDocumentID, esoutput.OptPath, esoutput.OptBulkPath, esoutput.OptParameters, esoutput.OptSniffing, esoutput.OptSniffingDelay, esoutput.OptSniffingPath,
		esoutput.OptHealthcheckPath, esoutput.OptTimeout, esoutput.OptPoolMax, esoutput.OptPoolMaxPerRoute, esoutput.OptResurrectDelay, esoutput.OptValidateAfter, optHTTPCompression, optCompression,
		esoutput.OptRetryInitial, esoutput.OptRetryMax, optSilenceErrors, optFailureTypeLog, optDLQCustomCodes, optDLQOnIndexFormat, optDropErrorTypes} {
		connectionOptions[o.Declaration().Name] = true
	}
	for _, o := range append(esclient.SecurityHandles(), obsolete...) {
		connectionOptions[o.Declaration().Name] = true
	}
	for _, name := range []string{"id", "enable_metric", "codec", "workers", "ecs_compatibility"} {
		connectionOptions[name] = true
	}
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
