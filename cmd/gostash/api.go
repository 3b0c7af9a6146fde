package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
	"unicode"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/gostash/gostash/internal/agent"
	"github.com/gostash/gostash/internal/monitor"
	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/runtime/logging"
)

// startAPI starts the monitoring API (api.enabled, on by default) for the
// agent's pipelines. An invalid api.* setting is an error, which stops
// gostash as a bad setting stops Logstash; a port that cannot be bound is
// not: gostash says why and runs the pipelines without the API.
func startAPI(ctx context.Context, st *settings.Settings, ag *agent.Agent, logger *slog.Logger) (stop func(), err error) {
	if !st.Bool("api.enabled") {
		return func() {}, nil
	}
	cfg := monitor.Config{
		Host:            st.String("api.http.host"),
		Port:            st.String("api.http.port"),
		NodeName:        st.String("node.name"),
		Version:         version,
		ReloadAutomatic: st.Bool("config.reload.automatic"),
		ReloadInterval:  st.Duration("config.reload.interval"),
		Logger:          logger,
		Defaults:        pipelineSettings(st),
	}
	if st.IsSet("monitoring.cluster_uuid") {
		cfg.MonitoringClusterUUID = st.String("monitoring.cluster_uuid")
	}
	if st.IsSet("path.data") {
		cfg.DataPath = st.String("path.data")
	}
	if cfg.Username, cfg.Password, err = apiAuth(st, logger); err != nil {
		return nil, err
	}
	if cfg.TLS, err = apiTLS(st); err != nil {
		return nil, err
	}
	web := logging.Logger(logger, "logstash.webserver")
	if cfg.TLS == nil {
		warnIgnored(web, st, "api.ssl.", "api.ssl.enabled")
	}
	if cfg.Username == "" {
		warnIgnored(web, st, "api.auth.basic.", "api.auth.type")
	}
	if cfg.TLS != nil && cfg.Username != "" && !st.IsSet("api.http.host") {
		cfg.Host = "0.0.0.0"
		web.Info("API configured securely with SSL and Basic Auth. Defaulting `api.http.host` to all available interfaces")
	}
	web.Debug("Initializing API WebServer", slog.String("api.http.host", cfg.Host), slog.String("api.http.port", cfg.Port),
		slog.Bool("api.ssl.enabled", cfg.TLS != nil), slog.String("api.auth.type", st.String("api.auth.type")),
		slog.String("api.environment", st.String("api.environment")))
	source := func() []monitor.Pipeline {
		var out []monitor.Pipeline
		for _, p := range ag.Pipelines() {
			out = append(out, monitor.Pipeline{P: p.P, Ended: !p.Running, Err: p.Err})
		}
		return out
	}
	api, err := monitor.New(cfg, source)
	if err != nil {
		return nil, err
	}
	if err := api.Start(ctx); err != nil {
		logging.Logger(logger, "logstash.agent").Error("Could not start the API endpoint; running without it", slog.String("error", err.Error()))
		return func() {}, nil
	}
	return func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = api.Shutdown(shutdownCtx)
	}, nil
}

// warnIgnored says which settings of a feature that is off were set, as
// Logstash's web server does.
func warnIgnored(l *slog.Logger, st *settings.Settings, prefix, trigger string) {
	for _, name := range st.SetNames() {
		if strings.HasPrefix(name, prefix) && name != trigger {
			l.Warn(fmt.Sprintf("Setting `%s` is ignored because `%s` is set to `%v`", name, trigger, st.Get(trigger)))
		}
	}
}

// apiAuth reads api.auth.*: with type basic, the username and password
// every request must carry. The password is checked against the
// password_policy settings; mode WARN logs what it lacks, ERROR refuses it.
func apiAuth(st *settings.Settings, logger *slog.Logger) (username, password string, err error) {
	if st.String("api.auth.type") != "basic" {
		return "", "", nil
	}
	username, password = st.String("api.auth.basic.username"), st.String("api.auth.basic.password")
	if username == "" {
		return "", "", errors.New("api.auth.basic.username must be set when api.auth.type is basic")
	}
	if password == "" {
		return "", "", errors.New("api.auth.basic.password must be set when api.auth.type is basic")
	}
	minLength := st.Int("api.auth.basic.password_policy.length.minimum")
	if minLength < 8 || minLength > 1024 {
		return "", "", errors.New("api.auth.basic.password_policy.length.minimum has to be between 8 and 1024.")
	}
	var lacks []string
	if len([]rune(password)) < int(minLength) {
		lacks = append(lacks, fmt.Sprintf("at least %d characters", minLength))
	}
	for _, c := range []struct {
		class, what string
		has         func(rune) bool
	}{
		{"upper", "an upper-case letter", unicode.IsUpper},
		{"lower", "a lower-case letter", unicode.IsLower},
		{"digit", "a digit", unicode.IsDigit},
		{"symbol", "a symbol", func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) }},
	} {
		if st.String("api.auth.basic.password_policy.include."+c.class) == "REQUIRED" && !strings.ContainsFunc(password, c.has) {
			lacks = append(lacks, c.what)
		}
	}
	if len(lacks) == 0 {
		return username, password, nil
	}
	msg := "api.auth.basic.password does not meet the password policy: it needs " + strings.Join(lacks, ", ")
	if st.String("api.auth.basic.password_policy.mode") == "ERROR" {
		return "", "", errors.New(msg)
	}
	logging.Logger(logger, "logstash.settings").Warn(msg)
	return username, password, nil
}

// apiTLS reads api.ssl.*: the keystore (PKCS12 or JKS) holding the API's
// certificate chain and key, and the protocols it offers.
func apiTLS(st *settings.Settings) (*tls.Config, error) {
	if !st.Bool("api.ssl.enabled") {
		return nil, nil
	}
	path, password := st.String("api.ssl.keystore.path"), st.String("api.ssl.keystore.password")
	if path == "" {
		return nil, errors.New("api.ssl.keystore.path must be set when api.ssl.enabled is true")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("api.ssl.keystore.path: %w", err)
	}
	cert, err := keyStoreCertificate(data, password)
	if err != nil {
		return nil, fmt.Errorf("api.ssl.keystore.path %s: %w", path, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if protocols := st.Strings("api.ssl.supported_protocols"); len(protocols) > 0 {
		versions := map[string]uint16{"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}
		cfg.MinVersion, cfg.MaxVersion = 0, 0
		for _, p := range protocols {
			v := versions[p]
			if cfg.MinVersion == 0 || v < cfg.MinVersion {
				cfg.MinVersion = v
			}
			cfg.MaxVersion = max(cfg.MaxVersion, v)
		}
	}
	return cfg, nil
}

// keyStoreCertificate reads the first private key entry of a JKS or PKCS12
// keystore (JKS files start with its magic number).
func keyStoreCertificate(data []byte, password string) (tls.Certificate, error) {
	if bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}) {
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return tls.Certificate{}, fmt.Errorf("reading the JKS keystore: %w", err)
		}
		for _, alias := range ks.Aliases() {
			entry, err := ks.GetPrivateKeyEntry(alias, []byte(password))
			if err != nil {
				continue
			}
			key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("JKS key %q: %w", alias, err)
			}
			cert := tls.Certificate{PrivateKey: key}
			for _, c := range entry.CertificateChain {
				cert.Certificate = append(cert.Certificate, c.Content)
			}
			return cert, nil
		}
		return tls.Certificate{}, errors.New("the JKS keystore holds no private key entry")
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading the PKCS12 keystore: %w", err)
	}
	cert := tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}, Leaf: leaf}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}
