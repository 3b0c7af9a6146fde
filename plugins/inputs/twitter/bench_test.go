package twitter

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// discard is an Emitter that drops events.
type discard struct{}

func (discard) Emit(*event.Event)          {}
func (discard) Decorate(*event.Event)      {}
func (discard) EmitDecorated(*event.Event) {}

// Turning one stream message into an event: the blog's tweet (about 5 KiB),
// whole and as Logstash's summary fields, from both APIs.
func BenchmarkHandleTweet(b *testing.B) {
	seed := testMessages(b)[0]
	for _, bc := range []struct {
		name    string
		options string
	}{
		{"v1/full_tweet", credentials + ` use_samples => true full_tweet => true`},
		{"v1/summary", credentials + ` use_samples => true`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in, _ := mustBuild(b, bc.options)
			src := newV1Source(inputOf(in))
			b.SetBytes(int64(len(seed)))
			b.ReportAllocs()
			for b.Loop() {
				src.handle(seed, discard{})
			}
		})
	}
}
