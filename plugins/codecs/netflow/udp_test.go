package netflow

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/inputs/udp"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

var update = flag.Bool("update", false, "rewrite testdata/udp_expected.jsonl from the codec's own decoding")

// udpPackets are sent in this order: v5, then a v9 and an IPFIX exporter's
// templates each followed by their data.
var udpPackets = []string{
	"netflow5.dat",
	"netflow9_test_macaddr_tpl.dat", "netflow9_test_macaddr_data.dat",
	"ipfix_test_netscaler_tpl.dat", "ipfix_test_netscaler_data.dat",
}

// sender is an exporter independent of gostash: Python sends each file
// as one datagram.
const sender = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        s.sendto(f.read(), ("127.0.0.1", int(sys.argv[1])))
`

// The real binary decodes datagrams that Python sends to `udp { codec =>
// netflow }` into the same events as the codec decodes from the spec's
// packets, written as testdata/udp_expected.jsonl shows.
func TestBinaryDecodesDatagramsFromPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed to send the datagrams: apt-get install -y python3")
	}
	// The same packets through the codec directly: the events the spec
	// checks, with the host the udp input adds.
	c, _ := codec(t, "")
	var direct []string
	var paths []string
	for _, p := range udpPackets {
		paths = append(paths, filepath.Join("testdata", "spec", p))
		c.DecodeFrom(readPacket(t, p), "127.0.0.1", func(e *event.Event) {
			e.Set("host", "127.0.0.1")
			direct = append(direct, plugintest.JSON(e))
		})
	}
	if *update {
		os.WriteFile("testdata/udp_expected.jsonl", []byte(strings.Join(direct, "\n")+"\n"), 0o644)
	}
	want, err := os.ReadFile("testdata/udp_expected.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if strings.Join(direct, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("testdata/udp_expected.jsonl is not what the codec decodes:\n%s", strings.Join(direct, "\n"))
	}

	port := inputtest.FreeUDPPort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { udp { host => "127.0.0.1" port => %d workers => 1 codec => netflow } }
output { stdout { codec => json_lines } }`, port), "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	p.Stderr.WaitFor(t, "UDP listener started", 60*time.Second)
	cmd := exec.Command(python, append([]string{"-c", sender, fmt.Sprint(port)}, paths...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python3: %v %s", err, out)
	}
	got := p.Stdout.WaitN(t, len(wantLines), 60*time.Second)
	for i, line := range got {
		if i >= len(wantLines) || line != wantLines[i] {
			t.Errorf("line %d\n got %s\nwant %s", i+1, line, wantLines[min(i, len(wantLines)-1)])
		}
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}

// The udp input's workers each have a codec instance, and they share the
// templates: data that any worker decodes finds the template another took.
// The udp input tells the codec the sender, which keys the template.
func TestUDPWorkersShareTemplates(t *testing.T) {
	port := inputtest.FreeUDPPort(t)
	dir := t.TempDir()
	in := plugintest.Input(t, fmt.Sprintf(`udp { host => "127.0.0.1" port => %d workers => 4 codec => netflow { cache_save_path => "%s" } }`, port, dir), plugintest.ECS("disabled"))
	logs := in.Logs
	running := in.Start()
	logs.WaitFor(t, "UDP listener started")
	conn, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(v9Packet(1, simpleTemplate))
	logs.WaitFor(t, "Received template 256")
	const n = 16
	for range n {
		conn.Write(v9Packet(1, set(256, simpleRecord)))
	}
	for _, e := range running.NextN(n) {
		if v, _ := e.Get("[netflow][l4_src_port]"); v != int64(443) {
			t.Errorf("%s", plugintest.JSON(e))
		}
	}
	if strings.Contains(logs.String(), "Can't (yet) decode") {
		t.Errorf("a worker lacked the template:\n%s", logs)
	}
	cache, err := os.ReadFile(filepath.Join(dir, "netflow_templates.cache"))
	if err != nil || !strings.HasPrefix(string(cache), `{"1|256|127.0.0.1":[["uint32","in_bytes"],`) {
		t.Errorf("template cache %s (%v)", cache, err)
	}
}
