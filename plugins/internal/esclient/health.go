package esclient

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// healthcheck tests every host that is not alive: HEAD on the health
// check path, then GET / for the version. In the register phase (start,
// and after the host list changed) GET / is asked even when HEAD failed,
// and an answer that shows the server cannot be used is a *ConfigError.
func (c *Client) healthcheck(registerPhase bool) error {
	c.mu.Lock()
	var pending []*host
	for _, h := range c.hosts {
		if h.state != stateAlive {
			pending = append(pending, h)
		}
	}
	c.mu.Unlock()
	ctx := context.Background()
	for _, h := range pending {
		_, headErr := c.doTo(ctx, h.ep, http.MethodHead, c.cfg.HealthcheckPath, nil, nil)
		var headBad *BadResponseError
		if errors.As(headErr, &headBad) {
			c.log.Warn("Health check failed", slog.Int("code", headBad.Code), slog.String("url", headBad.URL), slog.String("message", headBad.Error()))
		}
		var root *Response
		var rootErr error
		if headErr == nil || registerPhase {
			root, rootErr = c.doTo(ctx, h.ep, http.MethodGet, "/", nil, nil)
			var rootBad *BadResponseError
			if errors.As(rootErr, &rootBad) {
				c.log.Warn("Elasticsearch main endpoint returns "+strconv.Itoa(rootBad.Code), slog.String("message", rootBad.Error()), slog.String("body", string(rootBad.Body)))
			}
		}
		info, parsed := parseInfo(root)
		if registerPhase {
			var rootBad *BadResponseError
			if errors.As(rootErr, &rootBad) {
				switch rootBad.Code {
				case http.StatusUnauthorized:
					return &ConfigError{"Could not read Elasticsearch. Please check the credentials"}
				case http.StatusForbidden:
					return &ConfigError{"Could not read Elasticsearch. Please check the privileges"}
				}
			}
			if rootErr == nil && !c.compatible(root, info, parsed) {
				return &ConfigError{"Could not connect to a compatible version of Elasticsearch"}
			}
		}
		if err := firstErr(headErr, rootErr); err != nil {
			c.log.Warn("Attempted to resurrect connection to dead ES instance, but got an error",
				slog.String("url", h.ep.String()), slog.String("message", err.Error()))
			continue
		}
		if registerPhase {
			c.log.Info("Connected to ES instance", slog.String("url", h.ep.String()))
		} else {
			c.log.Warn("Restored connection to ES instance", slog.String("url", h.ep.String()))
		}
		if info.Number == "" && c.cfg.DefaultMajor > 0 {
			info.Number, info.Major = strconv.Itoa(c.cfg.DefaultMajor), c.cfg.DefaultMajor
		}
		if info.Number == "" {
			c.log.Warn("Failed to retrieve Elasticsearch version data from connected endpoint, connection aborted", slog.String("url", h.ep.String()))
			continue
		}
		alive := c.licensed(ctx, h, info)
		c.mu.Lock()
		c.recordVersion(info, h)
		if alive {
			h.state = stateAlive
		} else {
			h.state = stateDead
		}
		c.mu.Unlock()
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// recordVersion keeps the highest major version seen; c.mu is held.
func (c *Client) recordVersion(info ServerInfo, h *host) {
	switch {
	case !c.known:
		c.log.Info("Elasticsearch version determined ("+info.Number+")", slog.Int("es_version", info.Major))
		c.maxMajor = info.Major
	case info.Major > c.maxMajor:
		c.log.Warn("Detected a node with a higher major version than previously observed, this could be the result of an Elasticsearch cluster upgrade",
			slog.Int("previous_major", c.maxMajor), slog.Int("new_major", info.Major), slog.String("node_url", h.ep.String()))
		c.maxMajor = info.Major
	}
	c.known = true
	c.info = info
}

type rootAnswer struct {
	ClusterUUID string `json:"cluster_uuid"`
	Tagline     string `json:"tagline"`
	Version     *struct {
		Number       string `json:"number"`
		BuildFlavor  string `json:"build_flavor"`
		Distribution string `json:"distribution"`
	} `json:"version"`
}

func parseInfo(r *Response) (ServerInfo, *rootAnswer) {
	var info ServerInfo
	if r == nil {
		return info, nil
	}
	var a rootAnswer
	if json.Unmarshal(r.Body, &a) != nil {
		return info, nil
	}
	info.ClusterUUID = a.ClusterUUID
	info.OpenSearch = strings.Contains(a.Tagline, "OpenSearch")
	if a.Version != nil {
		info.Number = a.Version.Number
		info.BuildFlavor = a.Version.BuildFlavor
		info.Major, _ = strconv.Atoi(strings.SplitN(a.Version.Number, ".", 2)[0])
		if a.Version.Distribution == "opensearch" {
			info.OpenSearch = true
		}
	}
	return info, &a
}

// compatible is Logstash's product check for Elasticsearch (7.0 to 7.13:
// the default build flavor and tagline; later: the X-Elastic-Product
// header), with OpenSearch accepted too.
func (c *Client) compatible(r *Response, info ServerInfo, a *rootAnswer) bool {
	if c.cfg.Product == AnyEngine {
		return true
	}
	if a == nil || a.Version == nil {
		return false
	}
	if info.OpenSearch {
		return true
	}
	v := parseVersion(info.Number)
	if v.less(version{7, 0, 0}) {
		return false
	}
	if v.less(version{7, 14, 0}) {
		return info.BuildFlavor == "default" && a.Tagline == "You Know, for Search"
	}
	return r.Header.Get("X-Elastic-Product") == "Elasticsearch"
}

// licensed is Logstash's license check: an Elasticsearch host without an
// active license is still used (with a warning), one without any license
// is not; serverless projects and OpenSearch have no license API.
func (c *Client) licensed(ctx context.Context, h *host, info ServerInfo) bool {
	if c.cfg.Product == AnyEngine || info.OpenSearch || info.Serverless() {
		return true
	}
	var answer struct {
		License map[string]any `json:"license"`
	}
	resp, err := c.doTo(ctx, h.ep, http.MethodGet, "/_license", nil, nil)
	if err == nil {
		err = json.Unmarshal(resp.Body, &answer)
	}
	if err != nil {
		c.log.Error("Unable to get license information", slog.String("url", h.ep.String()), slog.String("message", err.Error()))
	}
	switch status, _ := answer.License["status"].(string); status {
	case "active":
		return true
	case "":
		c.log.Error("Could not connect to a compatible version of Elasticsearch", slog.String("url", h.ep.String()))
		return false
	default:
		c.log.Warn("Elasticsearch license is not active, please check Elasticsearch’s licensing information", slog.String("url", h.ep.String()))
		return true
	}
}

// version is a dotted version number, compared numerically.
type version [3]int

func parseVersion(s string) version {
	var v version
	for i, part := range strings.SplitN(strings.SplitN(s, "-", 2)[0], ".", 3) {
		v[i], _ = strconv.Atoi(part)
	}
	return v
}

func (v version) less(o version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

// VersionAtLeast compares a reported version with a minimum ("7.9.0").
func VersionAtLeast(number, minimum string) bool {
	return !parseVersion(number).less(parseVersion(minimum))
}

// publishAddress reads a node's http.publish_address ("host/ip:port" or
// "ip:port") as Logstash's sniffer does: the host name when given, else
// the address.
var publishAddress = regexp.MustCompile(`([^/]*)?/?([^:]*):([0-9]+)`)

// sniff replaces the pool's hosts with the nodes the cluster lists (nodes
// that are only master-eligible are skipped) and health-checks new ones.
func (c *Client) sniff() {
	resp, err := c.Do(context.Background(), http.MethodGet, c.cfg.SniffingPath, nil, nil)
	if errors.Is(err, ErrNoConnection) {
		c.log.Warn("Elasticsearch output attempted to sniff for new connections but cannot. No living connections are detected. Pool contains the following current URLs",
			slog.Any("url_info", c.Endpoints()))
		return
	}
	if err != nil {
		c.log.Warn("Error while performing sniffing", slog.String("error_message", err.Error()))
		return
	}
	var answer struct {
		Nodes map[string]struct {
			Roles []string `json:"roles"`
			HTTP  *struct {
				PublishAddress string `json:"publish_address"`
			} `json:"http"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil {
		c.log.Warn("Error while performing sniffing", slog.String("error_message", err.Error()))
		return
	}
	if len(answer.Nodes) == 0 {
		c.log.Warn("Sniff returned no nodes! Will not update hosts.")
		return
	}
	var found []Endpoint
	for _, n := range answer.Nodes {
		if len(n.Roles) == 1 && (n.Roles[0] == "master" || n.Roles[0] == "cluster_manager") || n.HTTP == nil {
			continue
		}
		m := publishAddress.FindStringSubmatch(n.HTTP.PublishAddress)
		if m == nil {
			continue
		}
		name := m[1]
		if name == "" {
			name = m[2]
		}
		u, err := ParseHost(name + ":" + m[3])
		if err != nil {
			continue
		}
		found = append(found, c.tmpl.endpoint(u, c.cfg.Parameters))
	}
	c.updateHosts(found)
}

// updateHosts makes the pool hold exactly eps, keeping the state of hosts
// already in it, and health-checks the new ones.
func (c *Client) updateHosts(eps []Endpoint) {
	c.mu.Lock()
	var added, removed []string
	want := map[string]bool{}
	have := map[string]*host{}
	for _, h := range c.hosts {
		have[h.ep.String()] = h
	}
	var next []*host
	for _, ep := range eps {
		key := ep.String()
		if want[key] {
			continue
		}
		want[key] = true
		if h, ok := have[key]; ok {
			next = append(next, h)
			continue
		}
		next = append(next, &host{ep: ep})
		added = append(added, key)
	}
	for key := range have {
		if !want[key] {
			removed = append(removed, key)
		}
	}
	c.hosts = next
	c.mu.Unlock()
	if len(added)+len(removed) > 0 {
		c.log.Info("Elasticsearch pool URLs updated", slog.Any("added", added), slog.Any("removed", removed))
	}
	if err := c.healthcheck(true); err != nil {
		c.log.Warn("Error while performing sniffing", slog.String("error_message", err.Error()))
	}
}
