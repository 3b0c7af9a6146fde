package beats_test

import (
	"fmt"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/inputtest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// Filebeat's documents through the real binary: the metadata an index
// name like "%{[@metadata][beat]}-%{[@metadata][version]}" needs arrives,
// and a SIGTERM with windows acknowledged loses nothing.
func TestBinaryShipsFilebeatDocuments(t *testing.T) {
	port := inputtest.FreePort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { beats { host => "127.0.0.1" port => %d } }
filter { mutate { add_field => { "index" => "%%{[@metadata][beat]}-%%{[@metadata][version]}" "peer" => "%%{[@metadata][input][beats][host][ip]}" } } }
output { stdout { codec => json_lines } }`, port), "-w", "1")
	c := dialLumber(t, fmt.Sprintf("127.0.0.1:%d", port), lumber.CompressionLevel(3))
	for i := range 3 {
		docs := []any{filebeatDoc(fmt.Sprintf("line %d.1", i)), filebeatDoc(fmt.Sprintf("line %d.2", i))}
		send(t, c, docs...)
	}
	lines := p.Stdout.WaitN(t, 6, 30*time.Second)
	want := `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"line 0.1","event":{"original":"line 0.1"},"agent":{"name":"web-1","type":"filebeat","version":"8.15.0"},"ecs":{"version":"8.0.0"},"host":{"name":"web-1"},"input":{"type":"filestream"},"log":{"file":{"path":"/var/log/app.log"},"offset":42},"tags":["beats_input_codec_plain_applied"],"index":"filebeat-8.15.0","peer":"127.0.0.1"}`
	if lines[0] != want {
		t.Errorf("first event\n got %s\nwant %s", lines[0], want)
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
	if n := len(p.Stdout.All()); n != 6 {
		t.Errorf("%d events printed, want 6", n)
	}
	p.Stderr.WaitFor(t, `Starting input listener {"address"=>"127.0.0.1:`, time.Second)
}
