package main

import (
	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/runtime/plugin"
)

// pipelineSettings are the settings a pipeline's plugins see, from the
// pipeline's settings (logstash.yml, the command line, its pipelines.yml
// entry), which the settings package has already checked.
func pipelineSettings(st *settings.Settings) plugin.PipelineSettings {
	ps := plugin.DefaultPipelineSettings(int(st.Int("pipeline.workers")))
	ps.ID = st.String("pipeline.id")
	ps.WorkersSet = st.IsSet("pipeline.workers")
	ps.BatchSize = int(st.Int("pipeline.batch.size"))
	ps.BatchDelay = st.Millis("pipeline.batch.delay")
	ps.Ordered = st.String("pipeline.ordered")
	ps.ECSCompatibility = st.String("pipeline.ecs_compatibility")
	ps.SupportEscapes = st.Bool("config.support_escapes")
	ps.FieldRefEscapeMode = st.String("config.field_reference.escape_style")
	ps.OutputChunkingFactor = int(st.Int("pipeline.batch.output_chunking.growth_threshold_factor"))
	return ps
}
