package twitter

import (
	"os"
	"testing"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/plugins/codecs/rubydebug"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The blog's printed event: the seed tweet through full_tweet and the
// rubydebug codec gives Logstash's bytes. Logstash's top-level key order is
// a JVM hash order gostash does not reproduce (spec 0.6), so only the
// top-level keys are put in the printed order before encoding; every value,
// nested key order, number and string comes from the plugin.
func TestFullTweetRubydebugMatchesTheBlog(t *testing.T) {
	seed := testMessages(t)[:1]
	startServer(t, twitterstream.Config{Messages: seed})
	in, _ := mustBuild(t, credentials+` keywords => ["φ"] full_tweet => true`)
	e := run(in)(1)[0]

	printed, err := os.ReadFile(repoPath(t, "testdata/twitter/seed/tweet-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	order, err := event.DecodeJSON(printed)
	if err != nil {
		t.Fatal(err)
	}
	reordered := event.NewMap(e.Data().Len())
	for _, k := range order.(*event.Map).Keys() {
		v, ok := e.Data().Get(k)
		if !ok {
			t.Fatalf("event lacks %q", k)
		}
		reordered.Set(k, v)
	}
	if reordered.Len() != e.Data().Len() {
		t.Fatalf("event has %d keys, the blog's %d", e.Data().Len(), reordered.Len())
	}

	codec := plugintest.Codec(t, "rubydebug").Plugin.(*rubydebug.Codec)
	codec.SetColour(false)
	got := codec.Encode(nil, event.NewEventFromMap(reordered))
	want, err := os.ReadFile(repoPath(t, "testdata/twitter/seed/tweet-rubydebug.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("rubydebug differs from the blog's:\n%s", got)
	}
}
