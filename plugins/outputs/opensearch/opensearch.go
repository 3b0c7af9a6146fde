// Package opensearch is the opensearch output: the options of the
// logstash-output-opensearch plugin (its older TLS option names, auth_type,
// target_bulk_bytes, legacy_template) over the bulk core the elasticsearch
// output uses.
package opensearch

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/plugins/internal/esoutput"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optAction = plugin.String("action").Default("index").
			Doc("Bulk action: index, create, update or delete, or a sprintf pattern giving one per event.")
	optIndex = plugin.String("index").
			Doc("Index written to, sprintf'ed per event (`%{+yyyy.MM.dd}` formats @timestamp). Default `logstash-%{+yyyy.MM.dd}` with ECS disabled, `ecs-logstash-%{+yyyy.MM.dd}` otherwise.")
	optAuthType = plugin.Hash("auth_type").
			Doc("Authentication: `{ type => basic user => ... password => ... }`. (`type => aws_iam`, SigV4 signing for Amazon OpenSearch Service, is not supported by gostash.)")
	optTargetBulkBytes = plugin.Int("target_bulk_bytes").Default(9 * 1024 * 1024).AtLeast(1).
				Doc("Largest uncompressed bulk request body; a batch over it is sent in several requests.")
	optSSL                  = plugin.Bool("ssl").Doc("Use TLS. Unset: on when a host is an https URL.")
	optSSLVerify            = plugin.Bool("ssl_certificate_verification").Default(true).Doc("Check the server's certificate and host name; false is insecure.")
	optCACert               = plugin.Path("cacert").Doc("PEM file of CA certificates the server's certificate must chain to; not with truststore.")
	optTruststore           = plugin.Path("truststore").Doc("JKS or PKCS12 file of trusted certificates.")
	optTruststorePassword   = plugin.Password("truststore_password").Doc("Password of truststore.")
	optKeystore             = plugin.Path("keystore").Doc("JKS or PKCS12 file holding the client certificate and key.")
	optKeystorePassword     = plugin.Password("keystore_password").Doc("Password of keystore.")
	optTLSCertificate       = plugin.Path("tls_certificate").Doc("PEM client certificate; needs tls_key.")
	optTLSKey               = plugin.Path("tls_key").Doc("PEM (PKCS#8) private key of tls_certificate.")
	optFailureTypeWhitelist = plugin.Array("failure_type_logging_whitelist").Default([]any{}).Doc("Error types (such as version_conflict_engine_exception) not logged.")
	optHTTPCompression      = plugin.Bool("http_compression").Default(false).Doc("Gzip request bodies.")
	optLegacyTemplate       = plugin.Bool("legacy_template").Default(true).Doc("Install the template through the legacy _template API; false uses _index_template.")
	optDefaultMajor         = plugin.Int("default_server_major_version").Doc("Major version assumed when the server does not report one.")
)

func init() {
	opts := []plugin.Declared{esoutput.OptHosts, optIndex, optAction, esoutput.OptDocumentID, esoutput.OptRouting, esoutput.OptPipeline,
		esoutput.OptDocType, esoutput.OptParent, esoutput.OptJoinField, esoutput.OptVersion, esoutput.OptVersionType,
		esoutput.OptUpsert, esoutput.OptDocAsUpsert, esoutput.OptScript, esoutput.OptScriptType, esoutput.OptScriptLang, esoutput.OptScriptVarName,
		esoutput.OptScriptedUpsert, esoutput.OptRetryOnConflict,
		esoutput.OptManageTemplate, esoutput.OptTemplateName, esoutput.OptTemplate, esoutput.OptTemplateOverwrite, optLegacyTemplate, optDefaultMajor,
		esoutput.OptPath, esoutput.OptBulkPath, esoutput.OptParameters, esoutput.OptSniffing, esoutput.OptSniffingDelay, esoutput.OptSniffingPath,
		esoutput.OptHealthcheckPath, esoutput.OptTimeout, esoutput.OptPoolMax, esoutput.OptPoolMaxPerRoute, esoutput.OptResurrectDelay,
		esoutput.OptValidateAfter, esoutput.OptRetryInitial, esoutput.OptRetryMax, optTargetBulkBytes, optHTTPCompression, optFailureTypeWhitelist,
		esclient.OptUser, esclient.OptPassword, optAuthType, esclient.OptProxy, esclient.OptCustomHeaders,
		optSSL, optSSLVerify, optCACert, optTruststore, optTruststorePassword, optKeystore, optKeystorePassword, optTLSCertificate, optTLSKey,
		plugin.ECS}
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "opensearch",
			Summary: "Sends events to OpenSearch in bulk requests, retrying until each is indexed; rejected documents go to the dead letter queue.",
			Options: opts,
		},
		New: newOutput,
	})
}

type output struct {
	core   *esoutput.Output
	s      *plugin.Settings
	log    *slog.Logger
	client *esclient.Client
	ecs    string
}

func newOutput(s *plugin.Settings) (plugin.Output, error) {
	log := s.Logger()
	o := &output{s: s, log: log, ecs: s.ECS()}
	defaultIndex := "logstash-%{+yyyy.MM.dd}"
	if o.ecs != "disabled" {
		defaultIndex = "ecs-logstash-%{+yyyy.MM.dd}"
	}
	if err := esoutput.CheckAction(s, optAction); err != nil {
		return nil, err
	}
	if err := esoutput.CheckWriteOptions(s, optAction); err != nil {
		return nil, err
	}
	hosts, err := esoutput.Hosts(s)
	if err != nil {
		return nil, err
	}
	sec, err := readSecurity(s, hosts, log)
	if err != nil {
		return nil, err
	}
	cfg, err := esoutput.ClientConfig(s, sec, log)
	if err != nil {
		return nil, err
	}
	cfg.Product = esclient.AnyEngine
	cfg.DefaultMajor = int(optDefaultMajor.Get(s))
	cfg.UserAgent = "gostash logstash-output-opensearch"
	if o.client, err = esclient.New(cfg); err != nil {
		return nil, esoutput.OptHosts.Errorf(s, "%v", err)
	}
	log.Info("New OpenSearch output", slog.Any("hosts", o.client.Endpoints()))

	index := defaultIndex
	if optIndex.IsSet(s) {
		index = optIndex.Get(s)
	}
	mapper, err := esoutput.NewMapper(s, optAction, optIndex, index, log)
	if err != nil {
		return nil, err
	}
	// The plugin sends document_type as _type whenever it is set.
	mapper.SendType = true
	silenced := map[string]bool{}
	for _, t := range optFailureTypeWhitelist.Get(s) {
		silenced[event.ValueString(t)] = true
	}
	gzipLevel := 0
	if optHTTPCompression.Get(s) {
		gzipLevel = 1
	}
	o.core = esoutput.New(esoutput.Config{
		Client:             o.client,
		Mapper:             mapper,
		Log:                log,
		Engine:             "OpenSearch",
		PipelineID:         s.Pipeline().ID,
		BulkPath:           esoutput.BulkPath(s, false),
		MaxBulkBytes:       int(optTargetBulkBytes.Get(s)),
		GzipLevel:          gzipLevel,
		RetryInitial:       esoutput.Seconds(esoutput.OptRetryInitial.Get(s)),
		RetryMax:           esoutput.Seconds(esoutput.OptRetryMax.Get(s)),
		DLQ:                s.DeadLetterWriter(),
		DLQCodes:           map[int]bool{400: true, 404: true},
		DropErrorTypes:     map[string]bool{},
		SilencedErrorTypes: silenced,
		Bootstrap:          o.bootstrap,
	})
	return o, nil
}

// readSecurity reads the plugin's authentication and TLS options (the
// names Logstash's elasticsearch output used before 11.14).
func readSecurity(s *plugin.Settings, hosts []*url.URL, log *slog.Logger) (*esclient.Security, error) {
	sec := &esclient.Security{Hosts: hosts, Header: http.Header{}, Scheme: "http"}
	for _, h := range hosts {
		if h.Scheme == "https" {
			sec.Scheme = "https"
		}
	}
	if optSSL.IsSet(s) {
		want := "http"
		if optSSL.Get(s) {
			want = "https"
		}
		for _, h := range hosts {
			if h.Scheme != "" && h.Scheme != want {
				return nil, optSSL.Errorf(s, "SSL option was explicitly set to %v but a URL was also declared with a scheme of '%s'. Please reconcile this", optSSL.Get(s), h.Scheme)
			}
		}
		sec.Scheme = want
	}
	user, password := esclient.OptUser.Get(s), esclient.OptPassword.Get(s).Reveal()
	if optAuthType.IsSet(s) {
		auth := optAuthType.Get(s)
		kind, _ := auth.Get("type")
		switch event.ValueString(kind) {
		case "basic":
			u, _ := auth.Get("user")
			p, _ := auth.Get("password")
			if u == nil || p == nil {
				return nil, optAuthType.Errorf(s, "auth_type basic needs user and password")
			}
			user, password = event.ValueString(u), event.ValueString(p)
		case "aws_iam":
			return nil, optAuthType.Errorf(s, "auth_type aws_iam (SigV4 signing for Amazon OpenSearch Service) is not supported by gostash; use basic authentication")
		default:
			return nil, optAuthType.Errorf(s, "auth_type needs type => basic")
		}
	}
	switch {
	case user != "" && password == "":
		return nil, esclient.OptUser.Errorf(s, "User '%s' specified without password!", user)
	case user == "" && password != "":
		return nil, esclient.OptPassword.Errorf(s, "Password specified without user!")
	}
	sec.User, sec.Password = user, password
	if esclient.OptProxy.IsSet(s) {
		raw := esclient.OptProxy.Get(s)
		if raw == "" {
			log.Warn("Supplied proxy setting (proxy => '') has no effect")
		} else {
			u, err := url.Parse(raw)
			if err != nil || u.Host == "" {
				return nil, esclient.OptProxy.Errorf(s, "invalid proxy URL %q", raw)
			}
			sec.Proxy = u
		}
	}
	esclient.OptCustomHeaders.Get(s).Range(func(k string, v any) bool {
		sec.Header.Set(k, event.ValueString(v))
		return true
	})
	switch {
	case optCACert.IsSet(s) && optTruststore.IsSet(s):
		return nil, optTruststore.Errorf(s, `Use either "cacert" or "truststore" when configuring the CA certificate`)
	case optTLSCertificate.IsSet(s) && !optTLSKey.IsSet(s):
		return nil, optTLSCertificate.Errorf(s, `"tls_key" is missing`)
	case optTLSKey.IsSet(s) && !optTLSCertificate.IsSet(s):
		return nil, optTLSKey.Errorf(s, `"tls_certificate" is missing`)
	}
	if sec.Scheme != "https" {
		return sec, nil
	}
	sec.TLS = &esclient.TLSSettings{
		TruststorePath: optTruststore.Get(s), TruststorePassword: optTruststorePassword.Get(s).Reveal(),
		KeystorePath: optKeystore.Get(s), KeystorePassword: optKeystorePassword.Get(s).Reveal(),
		Certificate: optTLSCertificate.Get(s), Key: optTLSKey.Get(s),
		VerifyNone: !optSSLVerify.Get(s),
	}
	if optCACert.IsSet(s) {
		sec.TLS.CAFiles = []string{optCACert.Get(s)}
	}
	if sec.TLS.VerifyNone {
		log.Warn("** WARNING ** Detected UNSAFE options in opensearch output configuration!\n** WARNING ** You have enabled encryption but DISABLED certificate verification.\n** WARNING ** To make sure your data is secure change :ssl_certificate_verification to true")
	}
	return sec, nil
}

// bootstrap installs the template; unlike the elasticsearch output, a
// failure is only logged.
func (o *output) bootstrap(ctx context.Context) error {
	s := o.s
	if _, err := o.client.Get(ctx, "/"); err != nil {
		o.log.Error("Unable to retrieve OpenSearch cluster uuid", slog.String("message", err.Error()))
	}
	if !esoutput.OptManageTemplate.Get(s) {
		return nil
	}
	var t *event.Map
	if esoutput.OptTemplate.IsSet(s) {
		o.log.Info("Using mapping template from", slog.String("path", esoutput.OptTemplate.Get(s)))
		var err error
		if t, err = esoutput.LoadTemplate(esoutput.OptTemplate.Get(s)); err != nil {
			o.log.Error("Failed to install template", slog.String("message", err.Error()))
			return nil
		}
	} else {
		o.log.Info("Using a default mapping template", slog.Int("version", o.client.MaxMajor()), slog.String("ecs_compatibility", o.ecs))
		t = esoutput.OpenSearchDefaultTemplate(optLegacyTemplate.Get(s), esoutput.IndexPattern(o.ecs))
	}
	name := "logstash"
	if o.ecs != "disabled" {
		name = "ecs-logstash"
	}
	if esoutput.OptTemplateName.IsSet(s) {
		name = esoutput.OptTemplateName.Get(s)
	}
	endpoint := esoutput.LegacyEndpoint
	if !optLegacyTemplate.Get(s) {
		endpoint = esoutput.ComposableEndpoint
	}
	if err := esoutput.InstallTemplate(ctx, o.client, o.log, "OpenSearch", endpoint, name, t, esoutput.OptTemplateOverwrite.Get(s)); err != nil {
		o.log.Error("Failed to install template", slog.String("message", err.Error()))
	}
	return nil
}

// Output sends a batch (see esoutput.Output).
func (o *output) Output(ctx context.Context, events []*event.Event) error {
	return o.core.Output(ctx, events)
}

// Close stops the client.
func (o *output) Close() error { return o.core.Close() }
