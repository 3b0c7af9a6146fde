// Package all registers every plugin gostash ships; the CLI imports it.
package all

import (
	_ "github.com/gostash/gostash/plugins/codecs/dots"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/codecs/rubydebug"
	_ "github.com/gostash/gostash/plugins/filters/clone"
	_ "github.com/gostash/gostash/plugins/filters/date"
	_ "github.com/gostash/gostash/plugins/filters/drop"
	_ "github.com/gostash/gostash/plugins/filters/fingerprint"
	_ "github.com/gostash/gostash/plugins/filters/grok"
	_ "github.com/gostash/gostash/plugins/filters/json"
	_ "github.com/gostash/gostash/plugins/filters/kv"
	_ "github.com/gostash/gostash/plugins/filters/mutate"
	_ "github.com/gostash/gostash/plugins/filters/ruby"
	_ "github.com/gostash/gostash/plugins/filters/split"
	_ "github.com/gostash/gostash/plugins/inputs/generator"
	_ "github.com/gostash/gostash/plugins/inputs/kafka"
	_ "github.com/gostash/gostash/plugins/inputs/stdin"
	_ "github.com/gostash/gostash/plugins/inputs/twitter"
	_ "github.com/gostash/gostash/plugins/outputs/file"
	_ "github.com/gostash/gostash/plugins/outputs/kafka"
	_ "github.com/gostash/gostash/plugins/outputs/stdout"
)
