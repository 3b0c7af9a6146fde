// Package elasticsearch is the elasticsearch output: Logstash's options and
// behaviour (data streams by default with ECS, templates, ILM, versioned
// and scripted writes), sending bulk requests through the shared esoutput
// core. It also talks to OpenSearch, refusing by name what OpenSearch lacks.
package elasticsearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/plugins/internal/esoutput"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "elasticsearch",
			Summary: "Sends events to Elasticsearch (or OpenSearch) in bulk requests, retrying until each is indexed; rejected documents go to the dead letter queue.",
			Options: options(),
		},
		New: newOutput,
	})
}

// maxBulkBytes is Logstash's TARGET_BULK_BYTES.
const maxBulkBytes = 20 * 1024 * 1024

const defaultPolicy = "logstash-policy"

// output is the elasticsearch-specific state around the shared core.
type output struct {
	core    *esoutput.Output
	s       *plugin.Settings
	log     *slog.Logger
	client  *esclient.Client
	mapper  *esoutput.Mapper
	ecs     string
	dsOn    bool
	index   string
	manage  bool
	tmplAPI string

	defaultIndex, defaultAlias, defaultTemplate string
}

func newOutput(s *plugin.Settings) (plugin.Output, error) {
	log := s.Logger()
	o := &output{s: s, log: log, ecs: s.ECS()}
	switch o.ecs {
	case "disabled":
		o.defaultIndex, o.defaultAlias, o.defaultTemplate = "logstash-%{+yyyy.MM.dd}", "logstash", "logstash"
	default:
		o.defaultIndex, o.defaultAlias, o.defaultTemplate = "ecs-logstash-%{+yyyy.MM.dd}", "ecs-logstash", "ecs-logstash"
	}

	if err := esoutput.CheckAction(s, optAction); err != nil {
		return nil, err
	}
	if err := esoutput.CheckWriteOptions(s, optAction); err != nil {
		return nil, err
	}

	dlq := s.DeadLetterWriter()
	dlqCodes := map[int]bool{400: true, 404: true}
	if codes := optDLQCustomCodes.Get(s); len(codes) > 0 {
		if dlq == nil {
			return nil, optDLQCustomCodes.Errorf(s, "DLQ feature (dlq_custom_codes) is configured while DLQ is not enabled")
		}
		var dup, success, conflict []string
		for _, c := range codes {
			code := int(c.(int64))
			switch code {
			case 400, 404:
				dup = append(dup, fmt.Sprint(code))
			case 200, 201:
				success = append(success, fmt.Sprint(code))
			case 409:
				conflict = append(conflict, fmt.Sprint(code))
			}
			dlqCodes[code] = true
		}
		switch {
		case len(dup) > 0:
			return nil, optDLQCustomCodes.Errorf(s, "[%s] are already defined as standard DLQ error codes", strings.Join(dup, ", "))
		case len(success) > 0:
			return nil, optDLQCustomCodes.Errorf(s, "[%s] are success codes which cannot be redefined in dlq_custom_codes", strings.Join(success, ", "))
		case len(conflict) > 0:
			return nil, optDLQCustomCodes.Errorf(s, "[%s] are error codes already defined as conflict which cannot be redefined in dlq_custom_codes", strings.Join(conflict, ", "))
		}
	}

	gzipLevel := int(optCompression.Get(s))
	if optHTTPCompression.IsSet(s) {
		if optCompression.IsSet(s) {
			return nil, optHTTPCompression.Errorf(s, "Both `compression_level` and the deprecated `http_compression` are set; use only `compression_level`")
		}
		gzipLevel = 0
		if optHTTPCompression.Get(s) {
			gzipLevel = 1
		}
	}

	dsOn, err := o.dataStreamConfig()
	if err != nil {
		return nil, err
	}
	o.dsOn = dsOn
	o.manage = esoutput.OptManageTemplate.Get(s)
	if dsOn && !esoutput.OptManageTemplate.IsSet(s) {
		log.Debug("Disabling template management since data streams are enabled")
		o.manage = false
	}
	o.tmplAPI = optTemplateAPI.Get(s)

	client, err := o.newClient()
	if err != nil {
		return nil, err
	}
	o.client = client
	log.Info("New Elasticsearch output", slog.Any("hosts", client.Endpoints()))

	if o.mapper, err = o.newMapper(); err != nil {
		return nil, err
	}
	silenced := map[string]bool{}
	for _, t := range append(optSilenceErrors.Get(s), optFailureTypeLog.Get(s)...) {
		silenced[t] = true
	}
	drop := map[string]bool{}
	for _, t := range optDropErrorTypes.Get(s) {
		drop[t] = true
	}
	o.core = esoutput.New(esoutput.Config{
		Client:             client,
		Mapper:             o.mapper,
		Log:                log,
		Engine:             "Elasticsearch",
		PipelineID:         s.Pipeline().ID,
		BulkPath:           esoutput.BulkPath(s, true),
		MaxBulkBytes:       maxBulkBytes,
		GzipLevel:          gzipLevel,
		BulkHeaders:        true,
		RetryInitial:       esoutput.Seconds(esoutput.OptRetryInitial.Get(s)),
		RetryMax:           esoutput.Seconds(esoutput.OptRetryMax.Get(s)),
		DLQ:                dlq,
		DLQCodes:           dlqCodes,
		DropErrorTypes:     drop,
		SilencedErrorTypes: silenced,
		Bootstrap:          o.bootstrap,
	})
	return o, nil
}

// dataStreamConfig decides whether events go to a data stream, as
// Logstash 8 does: data_stream => true (refusing options data streams
// cannot honour), false, or unset/auto (on when ECS is on and nothing
// conflicts).
func (o *output) dataStreamConfig() (bool, error) {
	s := o.s
	invalid := o.invalidDataStreamOptions()
	switch optDataStream.Get(s) {
	case "true":
		if len(invalid) > 0 {
			return false, optDataStream.Errorf(s, "Invalid data stream configuration: [%s]", strings.Join(invalid, ", "))
		}
		if o.ecs == "disabled" {
			return false, optDataStream.Errorf(s, "Invalid data stream configuration: `ecs_compatibility => disabled`. Elasticsearch data streams require that events adhere to the Elastic Common Schema.")
		}
		return true, nil
	case "false":
		return false, o.checkNoDataStreamOptions()
	}
	use := true
	switch {
	case o.ecs == "disabled":
		o.log.Info("Not eligible for data streams because ecs_compatibility is not enabled. Elasticsearch data streams require that events adhere to the Elastic Common Schema.")
		use = false
	case len(invalid) > 0:
		o.log.Info("Not eligible for data streams because config contains one or more settings that are not compatible with data streams: " + strings.Join(invalid, ", "))
		use = false
	}
	if !use {
		if err := o.checkNoDataStreamOptions(); err != nil {
			return false, err
		}
	}
	o.log.Info(fmt.Sprintf("Data streams auto configuration (`data_stream => auto` or unset) resolved to `%v`", use))
	return use, nil
}

// invalidDataStreamOptions lists the options set that data streams cannot
// honour.
func (o *output) invalidDataStreamOptions() []string {
	s := o.s
	var out []string
	for _, h := range handles() {
		name := h.Name()
		if !h.IsSet(s) {
			continue
		}
		ok := false
		switch {
		case name == "action":
			ok = optAction.Get(s) == "create"
		case name == "routing", name == "pipeline":
			ok = true
		case name == "data_stream":
			ok = optDataStream.Get(s) == "true"
		case name == "manage_template":
			ok = !esoutput.OptManageTemplate.Get(s)
		default:
			ok = strings.HasPrefix(name, "data_stream_") || connectionOptions[name]
		}
		if !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (o *output) checkNoDataStreamOptions() error {
	var set []string
	for _, h := range handles() {
		if name := h.Name(); strings.HasPrefix(name, "data_stream_") && h.IsSet(o.s) {
			set = append(set, name)
		}
	}
	if len(set) > 0 {
		return optDataStream.Errorf(o.s, "Ambiguous configuration; data stream settings must not be present when data streams are disabled: [%s]", strings.Join(set, ", "))
	}
	return nil
}

func (o *output) newClient() (*esclient.Client, error) {
	s := o.s
	hosts, err := esoutput.Hosts(s)
	if err != nil {
		return nil, err
	}
	sec, err := esclient.ReadSecurity(s, hosts, esoutput.OptHosts.IsSet(s), o.log)
	if err != nil {
		return nil, err
	}
	sec.Header.Set("X-Elastic-Product-Origin", "logstash-output-elasticsearch")
	cfg, err := esoutput.ClientConfig(s, sec, o.log)
	if err != nil {
		return nil, err
	}
	cfg.Product = esclient.Elasticsearch
	cfg.UserAgent = "gostash logstash-output-elasticsearch"
	c, err := esclient.New(cfg)
	if err != nil {
		return nil, esoutput.OptHosts.Errorf(s, "%v", err)
	}
	return c, nil
}

func (o *output) newMapper() (*esoutput.Mapper, error) {
	s := o.s
	o.index = o.defaultIndex
	if optIndex.IsSet(s) {
		o.index = optIndex.Get(s)
	}
	var ds *esoutput.DataStream
	if o.dsOn {
		ds = &esoutput.DataStream{
			Type: optDataStreamType.Get(s), Dataset: optDataStreamDataset.Get(s), Namespace: optDataStreamNamespace.Get(s),
			AutoRouting: optDataStreamRouting.Get(s), SyncFields: optDataStreamSync.Get(s),
		}
		o.index = ds.Name()
	}
	m, err := esoutput.NewMapper(s, optAction, optIndex, o.index, o.log)
	if err != nil {
		return nil, err
	}
	m.DataStream = ds
	m.IndexIsDefault = o.index == o.defaultIndex
	m.IngestMetadata = true
	m.CheckPlaceholders = optDLQOnIndexFormat.Get(s)
	return m, nil
}

// bootstrap is Logstash's finish_register, run once connected: the data
// stream version check, the template, ILM.
func (o *output) bootstrap(ctx context.Context) error {
	info := o.client.Info()
	major := o.client.MaxMajor()
	if o.dsOn && !info.OpenSearch && !esclient.VersionAtLeast(info.Number, "7.9.0") {
		o.log.Error("Elasticsearch version does not support data streams, Logstash might end up writing to an index", slog.String("es_version", info.Number))
		return &esclient.ConfigError{Msg: fmt.Sprintf("A data_stream configuration is only supported since Elasticsearch 7.9.0 (detected version %s), please upgrade your cluster", info.Number)}
	}
	// Logstash sends document_type to Elasticsearch 7 only; OpenSearch,
	// which reports 7.10.2 in compatibility mode, has no types since 2.0.
	o.mapper.SendType = major == 7 && !info.OpenSearch
	if _, err := o.client.Get(ctx, "/"); err != nil {
		o.log.Error("Unable to retrieve Elasticsearch cluster uuid", slog.String("message", err.Error()))
	}
	ilm, err := o.ilmInUse(info)
	if err != nil {
		return err
	}
	if err := o.installTemplate(ctx, info, major, ilm); err != nil {
		o.log.Error("Failed to install template", slog.String("message", err.Error()))
		return err
	}
	if ilm {
		return o.setupILM(ctx)
	}
	return nil
}

func (o *output) installTemplate(ctx context.Context, info esclient.ServerInfo, major int, ilm bool) error {
	if !o.manage {
		return nil
	}
	s := o.s
	composable := false
	switch {
	case info.Serverless():
		if o.tmplAPI == "legacy" {
			return &esclient.ConfigError{Msg: "Invalid template configuration `template_api => legacy`. Serverless Elasticsearch does not support legacy template API."}
		}
		composable = true
	case o.tmplAPI == "composable":
		composable = true
	case o.tmplAPI == "auto" && major >= 8:
		composable = true
	case o.tmplAPI == "auto":
		o.log.Warn(fmt.Sprintf("`template_api => auto` resolved to `legacy` since we are connected to Elasticsearch %d, but will resolve to `composable` the first time it connects to Elasticsearch 8+. We recommend either setting `template_api => legacy` to continue providing legacy-style templates, or migrating your template to the composable style and setting `template_api => composable`. The legacy template API is slated for removal in Elasticsearch 9.", major))
	}
	var t *event.Map
	if esoutput.OptTemplate.IsSet(s) {
		o.log.Info("Using mapping template from", slog.String("path", esoutput.OptTemplate.Get(s)))
		var err error
		if t, err = esoutput.LoadTemplate(esoutput.OptTemplate.Get(s)); err != nil {
			return err
		}
	} else {
		o.log.Info("Using a default mapping template", slog.Int("es_version", major), slog.String("ecs_compatibility", o.ecs))
		t = esoutput.DefaultTemplate(composable, esoutput.IndexPattern(o.ecs))
	}
	name := o.defaultTemplate
	if esoutput.OptTemplateName.IsSet(s) {
		name = esoutput.OptTemplateName.Get(s)
	}
	if ilm {
		alias := o.rolloverAlias()
		if major == 7 {
			t.Delete("template")
		}
		t.Set("index_patterns", alias+"-*")
		settings := esoutput.TemplateSettings(t, composable)
		if settings.Has("index.lifecycle.name") || settings.Has("index.lifecycle.rollover_alias") {
			o.log.Info("Overwriting index lifecycle name and rollover alias as ILM is enabled")
		}
		settings.Set("index.lifecycle.name", optILMPolicy.Get(s))
		settings.Set("index.lifecycle.rollover_alias", alias)
		if !esoutput.OptTemplateName.IsSet(s) {
			name = alias
		}
	}
	if info.Serverless() {
		esoutput.StripServerlessSettings(t)
	}
	endpoint := esoutput.LegacyEndpoint
	if composable {
		endpoint = esoutput.ComposableEndpoint
	}
	return esoutput.InstallTemplate(ctx, o.client, o.log, "Elasticsearch", endpoint, name, t, esoutput.OptTemplateOverwrite.Get(s))
}

func (o *output) rolloverAlias() string {
	if optILMRolloverAlias.IsSet(o.s) {
		return optILMRolloverAlias.Get(o.s)
	}
	return o.defaultAlias
}

// ilmInUse is Logstash's decision (auto: on with the default index or a
// custom rollover alias), refused by name where the engine has no ILM.
func (o *output) ilmInUse(info esclient.ServerInfo) (bool, error) {
	s := o.s
	enabled := optILMEnabled.Get(s)
	wanted := enabled != "false" && (o.index == o.defaultIndex || o.rolloverAlias() != o.defaultAlias)
	switch {
	case info.Serverless():
		if enabled == "true" {
			return false, &esclient.ConfigError{Msg: "Invalid ILM configuration `ilm_enabled => true`. Serverless Elasticsearch cluster does not support Index Lifecycle Management."}
		}
		if enabled == "auto" {
			o.log.Info("ILM auto configuration (`ilm_enabled => auto` or unset) resolved to `false`. Serverless Elasticsearch cluster does not support Index Lifecycle Management.")
		}
		return false, nil
	case info.OpenSearch:
		var set []string
		for _, opt := range []plugin.Opt[string]{optILMEnabled, optILMRolloverAlias, optILMPattern, optILMPolicy} {
			if opt.IsSet(s) {
				set = append(set, opt.Name())
			}
		}
		if enabled != "false" && len(set) > 0 {
			return false, &esclient.ConfigError{Msg: fmt.Sprintf("Invalid ILM configuration [%s]: the server is OpenSearch, which has no Index Lifecycle Management (it has Index State Management instead); remove the ilm_* settings or set `ilm_enabled => false`", strings.Join(set, ", "))}
		}
		if wanted {
			o.log.Info("ILM auto configuration (`ilm_enabled => auto` or unset) resolved to `false`. OpenSearch does not support Index Lifecycle Management.")
		}
		return false, nil
	}
	return wanted, nil
}

// setupILM points writes at the rollover alias, creating its first index
// and the default policy when missing.
func (o *output) setupILM(ctx context.Context) error {
	s := o.s
	alias := o.rolloverAlias()
	if o.index != o.defaultIndex {
		o.log.Warn(fmt.Sprintf("Overwriting supplied index %s with rollover alias %s", o.index, alias))
	}
	o.index = alias
	index, err := event.CompileTemplate(alias)
	if err != nil {
		return &esclient.ConfigError{Msg: fmt.Sprintf("ilm_rollover_alias %q: %v", alias, err)}
	}
	o.mapper.Index, o.mapper.IndexIsDefault = index, false
	exists, err := o.client.Exists(ctx, "/"+alias, false)
	if err != nil {
		return err
	}
	if !exists {
		target := "<" + alias + "-" + optILMPattern.Get(s) + ">"
		body := `{"aliases":{` + string(event.AppendJSONString(nil, alias)) + `:{"is_write_index":true}}}`
		_, err := o.client.Do(ctx, http.MethodPut, "/"+url.QueryEscape(target), nil, []byte(body))
		var bad *esclient.BadResponseError
		switch {
		case err == nil:
			o.log.Info("Created rollover alias", slog.String("name", target))
		case errors.As(err, &bad) && bad.Code == http.StatusBadRequest:
			o.log.Info("Rollover alias already exists, skipping", slog.String("name", target))
		default:
			return err
		}
	}
	policy := optILMPolicy.Get(s)
	exists, err = o.client.Exists(ctx, "/_ilm/policy/"+policy, true)
	if err != nil {
		return err
	}
	switch {
	case exists:
	case policy == defaultPolicy:
		o.log.Info("Installing ILM policy", slog.String("name", policy))
		body := `{"policy":{"phases":{"hot":{"actions":{"rollover":{"max_size":"50gb","max_age":"30d"}}}}}}`
		if _, err := o.client.Do(ctx, http.MethodPut, "/_ilm/policy/"+policy, nil, []byte(body)); err != nil {
			return err
		}
	default:
		return &esclient.ConfigError{Msg: fmt.Sprintf("The specified ILM policy %s does not exist on your Elasticsearch instance", policy)}
	}
	return nil
}

// Output sends a batch (see esoutput.Output).
func (o *output) Output(ctx context.Context, events []*event.Event) error {
	return o.core.Output(ctx, events)
}

// Close stops the client.
func (o *output) Close() error { return o.core.Close() }
