package twitterstream

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// v1Full is what the v2 view of a canned v1.1 tweet is built from.
type v1Full struct {
	IDStr                string     `json:"id_str"`
	Text                 string     `json:"text"`
	CreatedAt            string     `json:"created_at"`
	Lang                 string     `json:"lang"`
	Source               string     `json:"source"`
	Truncated            bool       `json:"truncated"`
	PossiblySensitive    *bool      `json:"possibly_sensitive"`
	InReplyToStatusIDStr string     `json:"in_reply_to_status_id_str"`
	InReplyToUserIDStr   string     `json:"in_reply_to_user_id_str"`
	User                 *v1User    `json:"user"`
	Entities             v1Entities `json:"entities"`
	ExtendedTweet        *struct {
		FullText string     `json:"full_text"`
		Entities v1Entities `json:"entities"`
	} `json:"extended_tweet"`
	RetweetedStatus *v1Full `json:"retweeted_status"`
	QuotedStatus    *v1Full `json:"quoted_status"`
	RetweetCount    int     `json:"retweet_count"`
	FavoriteCount   int     `json:"favorite_count"`
	ReplyCount      int     `json:"reply_count"`
	QuoteCount      int     `json:"quote_count"`
	Coordinates     *struct {
		Coordinates []float64 `json:"coordinates"`
	} `json:"coordinates"`
}

type v1User struct {
	IDStr          string  `json:"id_str"`
	Name           string  `json:"name"`
	ScreenName     string  `json:"screen_name"`
	CreatedAt      string  `json:"created_at"`
	Verified       bool    `json:"verified"`
	Description    *string `json:"description"`
	Location       *string `json:"location"`
	FollowersCount int     `json:"followers_count"`
	FriendsCount   int     `json:"friends_count"`
	StatusesCount  int     `json:"statuses_count"`
	ListedCount    int     `json:"listed_count"`
}

type v1Entities struct {
	Hashtags []struct {
		Text    string `json:"text"`
		Indices []int  `json:"indices"`
	} `json:"hashtags"`
	Symbols []struct {
		Text    string `json:"text"`
		Indices []int  `json:"indices"`
	} `json:"symbols"`
	UserMentions []struct {
		ScreenName string `json:"screen_name"`
		IDStr      string `json:"id_str"`
		Indices    []int  `json:"indices"`
	} `json:"user_mentions"`
	URLs []struct {
		URL         string `json:"url"`
		ExpandedURL string `json:"expanded_url"`
		DisplayURL  string `json:"display_url"`
		Indices     []int  `json:"indices"`
	} `json:"urls"`
}

// V2 payload shapes, fields in the order X sends them.
type v2Tweet struct {
	ID                string         `json:"id"`
	Text              string         `json:"text"`
	EditHistory       []string       `json:"edit_history_tweet_ids"`
	CreatedAt         string         `json:"created_at,omitempty"`
	AuthorID          string         `json:"author_id,omitempty"`
	ConversationID    string         `json:"conversation_id,omitempty"`
	InReplyToUserID   string         `json:"in_reply_to_user_id,omitempty"`
	Lang              string         `json:"lang,omitempty"`
	Source            string         `json:"source,omitempty"`
	PossiblySensitive *bool          `json:"possibly_sensitive,omitempty"`
	Entities          *v2Entities    `json:"entities,omitempty"`
	ReferencedTweets  []v2Reference  `json:"referenced_tweets,omitempty"`
	PublicMetrics     map[string]int `json:"public_metrics"`
}

type v2Entities struct {
	Hashtags []v2Tag     `json:"hashtags,omitempty"`
	Cashtags []v2Tag     `json:"cashtags,omitempty"`
	Mentions []v2Mention `json:"mentions,omitempty"`
	URLs     []v2URL     `json:"urls,omitempty"`
}

type v2Tag struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Tag   string `json:"tag"`
}

type v2Mention struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Username string `json:"username"`
	ID       string `json:"id,omitempty"`
}

type v2URL struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	DisplayURL  string `json:"display_url"`
}

type v2Reference struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type v2User struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Username      string         `json:"username"`
	CreatedAt     string         `json:"created_at,omitempty"`
	Verified      bool           `json:"verified"`
	Description   string         `json:"description,omitempty"`
	Location      string         `json:"location,omitempty"`
	PublicMetrics map[string]int `json:"public_metrics"`
}

type v2Includes struct {
	Users  []v2User  `json:"users,omitempty"`
	Tweets []v2Tweet `json:"tweets,omitempty"`
}

type v2Match struct {
	ID  string `json:"id"`
	Tag string `json:"tag,omitempty"`
}

type v2Payload struct {
	Data          v2Tweet    `json:"data"`
	Includes      v2Includes `json:"includes"`
	MatchingRules []v2Match  `json:"matching_rules,omitempty"`
}

func isoTime(v1 string) string {
	t, err := time.Parse("Mon Jan 02 15:04:05 -0700 2006", v1)
	if err != nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

var anchorText = regexp.MustCompile(`<[^>]*>`)

func toV2User(u *v1User) v2User {
	out := v2User{ID: u.IDStr, Name: u.Name, Username: u.ScreenName, CreatedAt: isoTime(u.CreatedAt), Verified: u.Verified,
		PublicMetrics: map[string]int{"followers_count": u.FollowersCount, "following_count": u.FriendsCount, "tweet_count": u.StatusesCount, "listed_count": u.ListedCount}}
	if u.Description != nil {
		out.Description = *u.Description
	}
	if u.Location != nil {
		out.Location = *u.Location
	}
	return out
}

func toV2Tweet(t *v1Full) v2Tweet {
	text, ents := t.Text, t.Entities
	if t.Truncated && t.ExtendedTweet != nil {
		text, ents = t.ExtendedTweet.FullText, t.ExtendedTweet.Entities
	}
	out := v2Tweet{ID: t.IDStr, Text: text, EditHistory: []string{t.IDStr}, CreatedAt: isoTime(t.CreatedAt),
		ConversationID: t.IDStr, InReplyToUserID: t.InReplyToUserIDStr, Lang: t.Lang,
		Source: anchorText.ReplaceAllString(t.Source, ""), PossiblySensitive: t.PossiblySensitive,
		PublicMetrics: map[string]int{"retweet_count": t.RetweetCount, "reply_count": t.ReplyCount, "like_count": t.FavoriteCount, "quote_count": t.QuoteCount}}
	if t.User != nil {
		out.AuthorID = t.User.IDStr
	}
	var e v2Entities
	for _, h := range ents.Hashtags {
		e.Hashtags = append(e.Hashtags, v2Tag{Start: idx(h.Indices, 0), End: idx(h.Indices, 1), Tag: h.Text})
	}
	for _, h := range ents.Symbols {
		e.Cashtags = append(e.Cashtags, v2Tag{Start: idx(h.Indices, 0), End: idx(h.Indices, 1), Tag: h.Text})
	}
	for _, m := range ents.UserMentions {
		e.Mentions = append(e.Mentions, v2Mention{Start: idx(m.Indices, 0), End: idx(m.Indices, 1), Username: m.ScreenName, ID: m.IDStr})
	}
	for _, u := range ents.URLs {
		e.URLs = append(e.URLs, v2URL{Start: idx(u.Indices, 0), End: idx(u.Indices, 1), URL: u.URL, ExpandedURL: u.ExpandedURL, DisplayURL: u.DisplayURL})
	}
	if e.Hashtags != nil || e.Cashtags != nil || e.Mentions != nil || e.URLs != nil {
		out.Entities = &e
	}
	if t.RetweetedStatus != nil {
		out.ReferencedTweets = append(out.ReferencedTweets, v2Reference{"retweeted", t.RetweetedStatus.IDStr})
	}
	if t.QuotedStatus != nil {
		out.ReferencedTweets = append(out.ReferencedTweets, v2Reference{"quoted", t.QuotedStatus.IDStr})
	}
	if t.InReplyToStatusIDStr != "" {
		out.ReferencedTweets = append(out.ReferencedTweets, v2Reference{"replied_to", t.InReplyToStatusIDStr})
		out.ConversationID = t.InReplyToStatusIDStr
	}
	return out
}

func idx(ind []int, i int) int {
	if i < len(ind) {
		return ind[i]
	}
	return 0
}

// toV2 converts a canned v1.1 tweet to the v2 stream payload with the
// expansions the twitter input asks for (authors, referenced tweets,
// mentioned users among known), ok is false for notices.
func toV2(m []byte, known map[string]json.RawMessage) (v2Payload, *v1Full, bool) {
	var t v1Full
	if json.Unmarshal(m, &t) != nil || t.IDStr == "" || t.User == nil {
		return v2Payload{}, nil, false
	}
	p := v2Payload{Data: toV2Tweet(&t)}
	seen := map[string]bool{}
	addUser := func(u *v1User) {
		if u != nil && !seen[u.IDStr] {
			seen[u.IDStr] = true
			p.Includes.Users = append(p.Includes.Users, toV2User(u))
		}
	}
	addUser(t.User)
	for _, inner := range []*v1Full{t.RetweetedStatus, t.QuotedStatus} {
		if inner != nil {
			p.Includes.Tweets = append(p.Includes.Tweets, toV2Tweet(inner))
			addUser(inner.User)
		}
	}
	if p.Data.Entities != nil {
		for _, mention := range p.Data.Entities.Mentions {
			var u v1User
			if raw, ok := known[strings.ToLower(mention.Username)]; ok && json.Unmarshal(raw, &u) == nil {
				addUser(&u)
			}
		}
	}
	return p, &t, true
}

func (s *Server) v2ListRules(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rules := append([]rule(nil), s.rules...)
	s.mu.Unlock()
	meta := map[string]any{"sent": time.Now().UTC().Format(time.RFC3339Nano), "result_count": len(rules)}
	if len(rules) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"meta": meta})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rules, "meta": meta})
}

func (s *Server) v2ChangeRules(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Add    []rule `json:"add"`
		Delete *struct {
			IDs []string `json:"ids"`
		} `json:"delete"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (req.Add == nil) == (req.Delete == nil) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"title": "Invalid Request", "detail": "One or more parameters to your request was invalid."})
		return
	}
	status, answer := s.changeRules(req.Add, req.Delete)
	writeJSON(w, status, answer)
}

// changeRules applies a rules request and returns the answer to send.
func (s *Server) changeRules(add []rule, del *struct {
	IDs []string `json:"ids"`
}) (int, map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if del != nil {
		gone := map[string]bool{}
		for _, id := range del.IDs {
			gone[id] = true
		}
		kept := s.rules[:0]
		deleted := 0
		for _, ru := range s.rules {
			if gone[ru.ID] {
				deleted++
			} else {
				kept = append(kept, ru)
			}
		}
		s.rules = kept
		return http.StatusOK, map[string]any{"meta": map[string]any{"sent": now, "summary": map[string]int{"deleted": deleted, "not_deleted": len(del.IDs) - deleted}}}
	}
	var created []rule
	var errs []any
	for _, a := range add {
		if _, err := parseRule(a.Value); err != nil {
			errs = append(errs, map[string]any{"value": a.Value, "title": "UnprocessableEntity", "detail": err.Error()})
			continue
		}
		ru := rule{ID: strconv.Itoa(s.nextRule), Value: a.Value, Tag: a.Tag}
		s.nextRule++
		s.rules = append(s.rules, ru)
		created = append(created, ru)
	}
	answer := map[string]any{"meta": map[string]any{"sent": now, "summary": map[string]int{"created": len(created), "not_created": len(errs)}}}
	if created != nil {
		answer["data"] = created
	}
	if errs != nil {
		answer["errors"] = errs
	}
	return http.StatusOK, answer
}

func (s *Server) v2Filter(w http.ResponseWriter, r *http.Request) {
	f := s.takeFault()
	if refuse(w, f) {
		return
	}
	s.stream(w, r, f, func() [][]byte {
		s.mu.Lock()
		rules := append([]rule(nil), s.rules...)
		s.mu.Unlock()
		known := s.users()
		var out [][]byte
		for _, m := range s.cfg.Messages {
			p, t, ok := toV2(m, known)
			if !ok {
				continue
			}
			for _, ru := range rules {
				if expr, err := parseRule(ru.Value); err == nil && expr.match(t) {
					p.MatchingRules = append(p.MatchingRules, v2Match{ID: ru.ID, Tag: ru.Tag})
				}
			}
			if len(p.MatchingRules) > 0 {
				b, _ := json.Marshal(p)
				out = append(out, b)
			}
		}
		return out
	})
}

func (s *Server) v2Sample(w http.ResponseWriter, r *http.Request) {
	f := s.takeFault()
	if refuse(w, f) {
		return
	}
	s.stream(w, r, f, func() [][]byte {
		known := s.users()
		var out [][]byte
		for _, m := range s.cfg.Messages {
			if p, _, ok := toV2(m, known); ok {
				b, _ := json.Marshal(p)
				out = append(out, b)
			}
		}
		return out
	})
}

func (s *Server) v2UsersBy(w http.ResponseWriter, r *http.Request) {
	s.writeV2Users(w, splitList(r.URL.Query().Get("usernames")), true)
}

func (s *Server) v2UserByUsername(w http.ResponseWriter, r *http.Request) {
	s.writeV2Users(w, []string{r.PathValue("username")}, false)
}

func (s *Server) writeV2Users(w http.ResponseWriter, names []string, many bool) {
	raw := s.users()
	var found []v2User
	var errs []any
	for _, n := range names {
		var u v1User
		if b, ok := raw[strings.ToLower(n)]; ok && json.Unmarshal(b, &u) == nil {
			found = append(found, toV2User(&u))
		} else {
			errs = append(errs, map[string]any{"value": n, "detail": "Could not find user with usernames: [" + n + "].", "title": "Not Found Error", "resource_type": "user", "parameter": "usernames"})
		}
	}
	answer := map[string]any{}
	switch {
	case many && found != nil:
		answer["data"] = found
	case !many && len(found) == 1:
		answer["data"] = found[0]
	}
	if errs != nil {
		answer["errors"] = errs
	}
	writeJSON(w, http.StatusOK, answer)
}

// ruleExpr is a parsed v2 rule: a tree of AND, OR, NOT and terms.
type ruleExpr struct {
	op   string // "and", "or", "not", "term"
	args []*ruleExpr
	term string
}

// parseRule parses the subset of the v2 rule language the input writes:
// terms (words, "quoted phrases", from:, lang:, bounding_box:[...], is:retweet),
// juxtaposition for AND, OR, a leading - for NOT, and parentheses.
func parseRule(s string) (*ruleExpr, error) {
	toks, err := tokenizeRule(s)
	if err != nil {
		return nil, err
	}
	p := &ruleParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, errUnexpected(p.toks[p.i])
	}
	return e, nil
}

type ruleError string

func (e ruleError) Error() string { return string(e) }

func errUnexpected(tok string) error {
	return ruleError("unexpected " + strconv.Quote(tok) + " in rule")
}

func tokenizeRule(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, ruleError("unterminated quote in rule")
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != ')' {
				if s[j] == '[' {
					k := strings.IndexByte(s[j:], ']')
					if k < 0 {
						return nil, ruleError("unterminated [ in rule")
					}
					j += k
				}
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, ruleError("empty rule")
	}
	return toks, nil
}

type ruleParser struct {
	toks []string
	i    int
}

func (p *ruleParser) or() (*ruleExpr, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	e := &ruleExpr{op: "or", args: []*ruleExpr{first}}
	for p.i < len(p.toks) && p.toks[p.i] == "OR" {
		p.i++
		next, err := p.and()
		if err != nil {
			return nil, err
		}
		e.args = append(e.args, next)
	}
	return e, nil
}

func (p *ruleParser) and() (*ruleExpr, error) {
	e := &ruleExpr{op: "and"}
	for p.i < len(p.toks) && p.toks[p.i] != ")" && p.toks[p.i] != "OR" {
		tok := p.toks[p.i]
		p.i++
		var item *ruleExpr
		neg := false
		if strings.HasPrefix(tok, "-") && len(tok) > 1 {
			neg, tok = true, tok[1:]
		}
		if tok == "(" {
			inner, err := p.or()
			if err != nil {
				return nil, err
			}
			if p.i >= len(p.toks) || p.toks[p.i] != ")" {
				return nil, ruleError("missing ) in rule")
			}
			p.i++
			item = inner
		} else {
			item = &ruleExpr{op: "term", term: tok}
		}
		if neg {
			item = &ruleExpr{op: "not", args: []*ruleExpr{item}}
		}
		e.args = append(e.args, item)
	}
	if len(e.args) == 0 {
		return nil, ruleError("empty group in rule")
	}
	return e, nil
}

func (e *ruleExpr) match(t *v1Full) bool {
	switch e.op {
	case "and":
		for _, a := range e.args {
			if !a.match(t) {
				return false
			}
		}
		return true
	case "or":
		for _, a := range e.args {
			if a.match(t) {
				return true
			}
		}
		return false
	case "not":
		return !e.args[0].match(t)
	}
	term := e.term
	switch {
	case strings.HasPrefix(term, "from:"):
		who := strings.ToLower(strings.TrimPrefix(term, "from:"))
		return t.User != nil && (strings.ToLower(t.User.ScreenName) == who || t.User.IDStr == who)
	case strings.HasPrefix(term, "lang:"):
		return t.Lang == strings.TrimPrefix(term, "lang:")
	case term == "is:retweet":
		return t.RetweetedStatus != nil
	case term == "is:quote":
		return t.QuotedStatus != nil
	case strings.HasPrefix(term, "bounding_box:["):
		box := strings.Fields(strings.Trim(strings.TrimPrefix(term, "bounding_box:"), "[]"))
		if len(box) != 4 || t.Coordinates == nil || len(t.Coordinates.Coordinates) != 2 {
			return false
		}
		var b [4]float64
		for i := range b {
			b[i], _ = strconv.ParseFloat(box[i], 64)
		}
		lon, lat := t.Coordinates.Coordinates[0], t.Coordinates.Coordinates[1]
		return lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3]
	}
	word := strings.ToLower(strings.Trim(term, `"`))
	return strings.Contains(v2SearchText(t), word)
}

func v2SearchText(t *v1Full) string {
	parts := []string{t.Text}
	if t.ExtendedTweet != nil {
		parts = append(parts, t.ExtendedTweet.FullText)
	}
	for _, h := range t.Entities.Hashtags {
		parts = append(parts, h.Text)
	}
	for _, u := range t.Entities.URLs {
		parts = append(parts, u.ExpandedURL)
	}
	if t.RetweetedStatus != nil {
		parts = append(parts, v2SearchText(t.RetweetedStatus))
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}
