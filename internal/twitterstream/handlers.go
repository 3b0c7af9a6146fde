package twitterstream

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// tweet is the part of a v1.1 message the server looks at to filter it.
type tweet struct {
	ID            *json.Number `json:"id"`
	IDStr         string       `json:"id_str"`
	Text          string       `json:"text"`
	Lang          string       `json:"lang"`
	InReplyToUser string       `json:"in_reply_to_user_id_str"`
	User          *user        `json:"user"`
	ExtendedTweet *struct {
		FullText string `json:"full_text"`
	} `json:"extended_tweet"`
	RetweetedStatus *tweet `json:"retweeted_status"`
	QuotedStatus    *tweet `json:"quoted_status"`
	Entities        struct {
		Hashtags []struct {
			Text string `json:"text"`
		} `json:"hashtags"`
		URLs []struct {
			ExpandedURL string `json:"expanded_url"`
		} `json:"urls"`
	} `json:"entities"`
	Coordinates *struct {
		Coordinates []float64 `json:"coordinates"`
	} `json:"coordinates"`
}

type user struct {
	ID         json.Number `json:"id"`
	IDStr      string      `json:"id_str"`
	Name       string      `json:"name"`
	ScreenName string      `json:"screen_name"`
}

func parseTweet(m []byte) (*tweet, bool) {
	var t tweet
	dec := json.NewDecoder(strings.NewReader(string(m)))
	dec.UseNumber()
	if dec.Decode(&t) != nil || t.ID == nil {
		return nil, false
	}
	return &t, true
}

// searchText is everything track keywords are matched against.
func (t *tweet) searchText() string {
	parts := []string{t.Text}
	if t.ExtendedTweet != nil {
		parts = append(parts, t.ExtendedTweet.FullText)
	}
	if t.User != nil {
		parts = append(parts, t.User.ScreenName)
	}
	for _, h := range t.Entities.Hashtags {
		parts = append(parts, h.Text)
	}
	for _, u := range t.Entities.URLs {
		parts = append(parts, u.ExpandedURL)
	}
	for _, inner := range []*tweet{t.RetweetedStatus, t.QuotedStatus} {
		if inner != nil {
			parts = append(parts, inner.searchText())
		}
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// v1Filter is statuses/filter's selection: track phrases (any phrase, all
// words of it), follow ids, locations boxes, narrowed by language.
type v1Filter struct {
	track     [][]string
	follow    map[string]bool
	boxes     [][4]float64
	languages map[string]bool
}

func newV1Filter(params url.Values) v1Filter {
	var f v1Filter
	for _, phrase := range splitList(params.Get("track")) {
		f.track = append(f.track, strings.Fields(strings.ToLower(phrase)))
	}
	if ids := splitList(params.Get("follow")); len(ids) > 0 {
		f.follow = map[string]bool{}
		for _, id := range ids {
			f.follow[id] = true
		}
	}
	coords := splitList(params.Get("locations"))
	for i := 0; i+4 <= len(coords); i += 4 {
		var box [4]float64
		for j := range box {
			box[j], _ = strconv.ParseFloat(coords[i+j], 64)
		}
		f.boxes = append(f.boxes, box)
	}
	if langs := splitList(params.Get("language")); len(langs) > 0 {
		f.languages = map[string]bool{}
		for _, l := range langs {
			f.languages[l] = true
		}
	}
	return f
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (f v1Filter) empty() bool {
	return len(f.track) == 0 && len(f.follow) == 0 && len(f.boxes) == 0
}

func (f v1Filter) matches(t *tweet) bool {
	if f.languages != nil && !f.languages[t.Lang] {
		return false
	}
	text := t.searchText()
	for _, words := range f.track {
		all := len(words) > 0
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	if f.follow != nil {
		if t.User != nil && f.follow[t.User.IDStr] || f.follow[t.InReplyToUser] {
			return true
		}
		if rt := t.RetweetedStatus; rt != nil && rt.User != nil && f.follow[rt.User.IDStr] {
			return true
		}
	}
	if t.Coordinates != nil && len(t.Coordinates.Coordinates) == 2 {
		lon, lat := t.Coordinates.Coordinates[0], t.Coordinates.Coordinates[1]
		for _, b := range f.boxes {
			if lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3] {
				return true
			}
		}
	}
	return false
}

func (s *Server) v1Filter(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	if err := r.ParseForm(); err == nil {
		for k, vs := range r.PostForm {
			params[k] = append(params[k], vs...)
		}
	}
	filter := newV1Filter(params)
	if filter.empty() {
		refuse(w, Fault{Status: http.StatusNotAcceptable})
		return
	}
	f := s.takeFault()
	if refuse(w, f) {
		return
	}
	s.stream(w, r, f, func() [][]byte {
		var out [][]byte
		for _, m := range s.cfg.Messages {
			if t, ok := parseTweet(m); !ok || filter.matches(t) {
				out = append(out, m)
			}
		}
		return out
	})
}

func (s *Server) v1Sample(w http.ResponseWriter, r *http.Request) {
	f := s.takeFault()
	if refuse(w, f) {
		return
	}
	s.stream(w, r, f, func() [][]byte { return s.cfg.Messages })
}

// users are the authors of the canned tweets (and of tweets they quote or
// retweet), by lowercase screen name, as raw v1.1 user objects.
func (s *Server) users() map[string]json.RawMessage {
	raw := map[string]json.RawMessage{}
	var walk func(m []byte)
	walk = func(m []byte) {
		var t struct {
			User            json.RawMessage `json:"user"`
			RetweetedStatus json.RawMessage `json:"retweeted_status"`
			QuotedStatus    json.RawMessage `json:"quoted_status"`
		}
		if json.Unmarshal(m, &t) != nil || t.User == nil {
			return
		}
		var u user
		if json.Unmarshal(t.User, &u) == nil && u.ScreenName != "" {
			key := strings.ToLower(u.ScreenName)
			raw[key] = t.User
		}
		for _, inner := range []json.RawMessage{t.RetweetedStatus, t.QuotedStatus} {
			if inner != nil {
				walk(inner)
			}
		}
	}
	for _, m := range s.cfg.Messages {
		walk(m)
	}
	return raw
}

func (s *Server) v1UsersLookup(w http.ResponseWriter, r *http.Request) {
	raw := s.users()
	found := []json.RawMessage{}
	for _, name := range splitList(r.URL.Query().Get("screen_name")) {
		if u, ok := raw[strings.ToLower(name)]; ok {
			found = append(found, u)
		}
	}
	if len(found) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []any{map[string]any{"code": 17, "message": "No user matches for specified terms."}}})
		return
	}
	writeJSON(w, http.StatusOK, found)
}

func (s *Server) v1UsersShow(w http.ResponseWriter, r *http.Request) {
	raw := s.users()
	u, ok := raw[strings.ToLower(r.URL.Query().Get("screen_name"))]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []any{map[string]any{"code": 50, "message": "User not found."}}})
		return
	}
	writeJSON(w, http.StatusOK, u)
}
