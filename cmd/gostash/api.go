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

	"github.com/gostash/gostash/internal/monitor"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
)

// startAPI starts the monitoring API (api.enabled, on by default) for the
// pipeline current returns. An invalid api.* setting is an error, which
// stops gostash as a bad setting stops Logstash; a port that cannot be
// bound is not: gostash says why and runs the pipeline without the API.
func startAPI(ctx context.Context, st settings, reload bool, src *configSource, logger *slog.Logger,
	current func() *pipeline.Pipeline) (stop func(), err error) {
	enabled, err := st.boolean("api.enabled", true)
	if err != nil {
		return nil, err
	}
	if !enabled {
		return func() {}, nil
	}
	cfg := monitor.Config{
		Host:            st.str("api.http.host", st.str("http.host", "127.0.0.1")),
		Port:            st.str("api.http.port", st.str("http.port", "9600-9700")),
		NodeName:        st.str("node.name", ""),
		DataPath:        st.str("path.data", ""),
		Version:         version,
		ReloadAutomatic: reload,
		ReloadInterval:  src.interval,
		Logger:          logger,
	}
	if cfg.Username, cfg.Password, err = apiAuth(st, logger); err != nil {
		return nil, err
	}
	if cfg.TLS, err = apiTLS(st); err != nil {
		return nil, err
	}
	api, err := monitor.New(cfg, current)
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

// apiAuth reads api.auth.*: with type basic, the username and password
// every request must carry. The password is checked against the
// password_policy settings; mode WARN logs what it lacks, ERROR refuses it.
func apiAuth(st settings, logger *slog.Logger) (username, password string, err error) {
	switch typ := st.str("api.auth.type", "none"); typ {
	case "none":
		return "", "", nil
	case "basic":
	default:
		return "", "", fmt.Errorf("api.auth.type must be one of none, basic; got %q", typ)
	}
	username, password = st.str("api.auth.basic.username", ""), st.str("api.auth.basic.password", "")
	if username == "" {
		return "", "", errors.New("api.auth.basic.username must be set when api.auth.type is basic")
	}
	if password == "" {
		return "", "", errors.New("api.auth.basic.password must be set when api.auth.type is basic")
	}
	minLength, _, err := st.integer("api.auth.basic.password_policy.length.minimum", 8)
	if err != nil {
		return "", "", err
	}
	var lacks []string
	if len([]rune(password)) < int(minLength) {
		lacks = append(lacks, fmt.Sprintf("at least %d characters", minLength))
	}
	for _, c := range []struct {
		class, def, what string
		has              func(rune) bool
	}{
		{"upper", "REQUIRED", "an upper-case letter", unicode.IsUpper},
		{"lower", "REQUIRED", "a lower-case letter", unicode.IsLower},
		{"digit", "REQUIRED", "a digit", unicode.IsDigit},
		{"symbol", "OPTIONAL", "a symbol", func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) }},
	} {
		key := "api.auth.basic.password_policy.include." + c.class
		switch v := st.str(key, c.def); v {
		case "OPTIONAL":
		case "REQUIRED":
			if !strings.ContainsFunc(password, c.has) {
				lacks = append(lacks, c.what)
			}
		default:
			return "", "", fmt.Errorf("%s must be REQUIRED or OPTIONAL; got %q", key, v)
		}
	}
	if len(lacks) == 0 {
		return username, password, nil
	}
	msg := "api.auth.basic.password does not meet the password policy: it needs " + strings.Join(lacks, ", ")
	switch mode := st.str("api.auth.basic.password_policy.mode", "WARN"); mode {
	case "WARN":
		logging.Logger(logger, "logstash.settings").Warn(msg)
		return username, password, nil
	case "ERROR":
		return "", "", errors.New(msg)
	default:
		return "", "", fmt.Errorf("api.auth.basic.password_policy.mode must be WARN or ERROR; got %q", mode)
	}
}

// apiTLS reads api.ssl.*: the keystore (PKCS12 or JKS) holding the API's
// certificate chain and key, and the protocols it offers.
func apiTLS(st settings) (*tls.Config, error) {
	enabled, err := st.boolean("api.ssl.enabled", false)
	if err != nil || !enabled {
		return nil, err
	}
	path, password := st.str("api.ssl.keystore.path", ""), st.str("api.ssl.keystore.password", "")
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
	if protocols, ok := st["api.ssl.supported_protocols"]; ok {
		// A YAML list, or a comma-separated string from the command line.
		versions := map[string]uint16{"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}
		cfg.MinVersion, cfg.MaxVersion = 0, 0
		for _, p := range listSetting(protocols) {
			v, ok := versions[p]
			if !ok {
				return nil, fmt.Errorf("api.ssl.supported_protocols: %q is not one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3", p)
			}
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

// listSetting reads a list setting: a YAML list or a comma-separated string.
func listSetting(v any) []string {
	var out []string
	switch t := v.(type) {
	case []any:
		for _, it := range t {
			out = append(out, strings.TrimSpace(fmt.Sprint(it)))
		}
	default:
		for _, it := range strings.Split(fmt.Sprint(t), ",") {
			out = append(out, strings.TrimSpace(it))
		}
	}
	return out
}
