package esclient

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// CloudID decodes an Elastic Cloud id ("label:base64(host$es$kibana)")
// into the https URL of its Elasticsearch, as Logstash's CloudSettingId
// does: the host is "<es id>.<cloud host>" and the port the one given
// after the es id, else after the cloud host, else 443.
func CloudID(id string) (*url.URL, error) {
	parts := javaSplit(id, ":")
	label, encoded := parts[0], ""
	if len(parts) > 1 {
		encoded = parts[1]
	}
	if encoded == "" {
		encoded = label
	}
	decoded := ""
	if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(encoded, "=")); err == nil {
		decoded = string(b)
	}
	invalid := fmt.Errorf("cloud_id, after decoding, is invalid. Format: '<segment1>$<segment2>$<segment3>'. Received: \"%s\".", decoded)
	if strings.Count(decoded, "$") < 2 {
		return nil, invalid
	}
	segments := javaSplit(decoded, "$")
	for _, s := range segments {
		if s == "" {
			return nil, invalid
		}
	}
	cloudParts := javaSplit("."+segments[0], ":")
	cloudHost, cloudPort := cloudParts[0], "443"
	if len(cloudParts) > 1 {
		cloudPort = cloudParts[1]
	}
	esParts := javaSplit(segments[1], ":")
	if esParts[0] == "undefined" {
		return nil, errors.New("cloud_id, after decoding, elasticsearch segment is 'undefined', literally.")
	}
	if len(segments) > 2 && javaSplit(segments[2], ":")[0] == "undefined" {
		return nil, errors.New("cloud_id, after decoding, the kibana segment is 'undefined', literally. You may need to enable Kibana in the Cloud UI.")
	}
	port := cloudPort
	if len(esParts) > 1 {
		port = esParts[1]
	}
	return ParseHost("https://" + esParts[0] + cloudHost + ":" + port)
}

// javaSplit is Java's String.split on a literal separator: trailing empty
// strings are dropped.
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// CloudAuth splits cloud_auth into user and password.
func CloudAuth(auth string) (user, password string, err error) {
	user, password, found := strings.Cut(auth, ":")
	if user == "" || !found || password == "" {
		return "", "", errors.New(`cloud_auth username and password format should be "<username>:<password>".`)
	}
	return user, password, nil
}

var idKeyPattern = regexp.MustCompile(`\A[^:]+:[^:]+\z`)

// APIKeyHeader is the Authorization value for an api_key: a base64 key or
// a Cloud key (essu_...) as given, an "id:key" pair base64-encoded.
func APIKeyHeader(key string) (string, error) {
	switch {
	case isBase64(key) || (strings.HasPrefix(key, "essu_") && len(key) > len("essu_")):
		return "ApiKey " + key, nil
	case idKeyPattern.MatchString(key):
		return "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key)), nil
	}
	return "", errors.New("Invalid api_key format. Expected a base64-encoded key, an 'id:api_key' pair, or a Cloud API key (essu_ prefix).")
}

// isBase64 is Ruby's strict_encode64(strict_decode64(s)) == s.
func isBase64(s string) bool {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil && base64.StdEncoding.EncodeToString(b) == s
}
