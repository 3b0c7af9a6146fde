package udp_test

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/udp"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

func start(t *testing.T, options, ecs string) (net.Conn, *plugintest.Running, *plugintest.Logs) {
	t.Helper()
	port := inputtest.FreeUDPPort(t)
	in := plugintest.Input(t, fmt.Sprintf(`udp { host => "127.0.0.1" port => %d tags => ["decorated"] %s }`, port, options), plugintest.ECS(ecs))
	logs := in.Logs
	em := in.Start()
	logs.WaitFor(t, "UDP listener started")
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, em, logs
}

func TestDatagramsWithSourceIP(t *testing.T) {
	for _, c := range []struct{ ecs, options, field string }{
		{"disabled", "", "host"},
		{"v8", "", "[host][ip]"},
		{"disabled", "source_ip_fieldname => sender", "sender"},
	} {
		conn, em, _ := start(t, c.options, c.ecs)
		conn.Write([]byte("hello world"))
		e := em.Next()
		if inputtest.Field(e, "message") != "hello world" || inputtest.Field(e, c.field) != "127.0.0.1" || inputtest.Field(e, "tags") != "decorated" {
			t.Errorf("%s %s: %s", c.ecs, c.options, inputtest.JSON(e))
		}
	}
}

// The codec is flushed after every datagram: a line codec's unterminated
// last line does not wait for the next datagram.
func TestCodecFlushedPerDatagram(t *testing.T) {
	conn, em, _ := start(t, "codec => line workers => 1", "")
	conn.Write([]byte("a\nb"))
	conn.Write([]byte("c"))
	var got []string
	for _, e := range em.NextN(3) {
		got = append(got, inputtest.Field(e, "message"))
	}
	if strings.Join(got, ",") != "a,b,c" {
		t.Errorf("messages %v", got)
	}
}

// A datagram longer than buffer_size is cut; an empty one is no event.
func TestBufferSizeTruncates(t *testing.T) {
	conn, em, _ := start(t, "buffer_size => 5 workers => 1", "")
	conn.Write(nil)
	conn.Write([]byte("0123456789"))
	if e := em.Next(); inputtest.Field(e, "message") != "01234" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

// The kernel hands out a different SO_RCVBUF than asked (Linux doubles
// it); Logstash warns about that.
func TestReceiveBufferBytes(t *testing.T) {
	_, _, logs := start(t, "receive_buffer_bytes => 65536", "")
	logs.WaitFor(t, "Unable to set receive_buffer_bytes to desired size. Requested 65536 but obtained")
}

func TestSourceIPFieldnameWarnsInECSMode(t *testing.T) {
	logs := plugintest.Input(t, `udp { port => 1 source_ip_fieldname => "ip" }`, plugintest.ECS("v8")).Logs
	if !strings.Contains(logs.Logstash(), "'source_ip_fieldname' is user customized") {
		t.Errorf("log:\n%s", logs.Logstash())
	}
}

// netcat sends datagrams to the real binary.
func TestBinaryReadsDatagramsFromNetcat(t *testing.T) {
	nc, err := exec.LookPath("nc")
	if err != nil {
		t.Fatal("nc (netcat-openbsd) is needed: apt-get install -y netcat-openbsd")
	}
	port := inputtest.FreeUDPPort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { udp { host => "127.0.0.1" port => %d } }
output { stdout { codec => json_lines } }`, port), "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	p.Stderr.WaitFor(t, "UDP listener started", 30*time.Second)
	cmd := exec.Command(nc, "-u", "-w", "1", "127.0.0.1", fmt.Sprint(port))
	cmd.Stdin = strings.NewReader("from netcat")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nc: %v %s", err, out)
	}
	line := p.Stdout.WaitN(t, 1, 30*time.Second)[0]
	if want := `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"from netcat","host":"127.0.0.1"}`; line != want {
		t.Errorf("\n got %s\nwant %s", line, want)
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}
