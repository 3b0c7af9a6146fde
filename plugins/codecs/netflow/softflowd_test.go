package netflow

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/inputtest"
)

// flowPcap is a pcap file of two UDP flows: three 100-byte packets from
// 10.1.0.1:5000 to 10.2.0.2:53 and two 48-byte ones from 10.1.0.3:6000 to
// 10.2.0.4:123.
func flowPcap() []byte {
	le := binary.LittleEndian
	out := le.AppendUint32(nil, 0xa1b2c3d4)
	out = le.AppendUint16(out, 2)
	out = le.AppendUint16(out, 4)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 65535)
	out = le.AppendUint32(out, 1) // Ethernet
	packet := func(sec uint32, src, dst [4]byte, sport, dport uint16, payload int) {
		udp := binary.BigEndian.AppendUint16(nil, sport)
		udp = binary.BigEndian.AppendUint16(udp, dport)
		udp = binary.BigEndian.AppendUint16(udp, uint16(8+payload))
		udp = append(binary.BigEndian.AppendUint16(udp, 0), make([]byte, payload)...)
		ip := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0}
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		ip = append(append(ip, src[:]...), dst[:]...)
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		sum = sum>>16 + sum&0xffff
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum+sum>>16))
		frame := append([]byte{0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 8, 0}, append(ip, udp...)...)
		out = le.AppendUint32(out, sec)
		out = le.AppendUint32(out, 0)
		out = le.AppendUint32(out, uint32(len(frame)))
		out = le.AppendUint32(out, uint32(len(frame)))
		out = append(out, frame...)
	}
	for i := range uint32(3) {
		packet(1_700_000_000+i, [4]byte{10, 1, 0, 1}, [4]byte{10, 2, 0, 2}, 5000, 53, 72)
	}
	for i := range uint32(2) {
		packet(1_700_000_001+i, [4]byte{10, 1, 0, 3}, [4]byte{10, 2, 0, 4}, 6000, 123, 20)
	}
	return out
}

// A real exporter: softflowd reads the flows from a pcap file and exports
// them as NetFlow v5, v9 and IPFIX to `udp { codec => netflow }`.
func TestSoftflowdExports(t *testing.T) {
	softflowd, err := exec.LookPath("softflowd")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("softflowd is needed: apt-get install -y softflowd")
		}
		t.Skip("softflowd is not installed (apt-get install -y softflowd)")
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "flows.pcap")
	if err := os.WriteFile(pcap, flowPcap(), 0o644); err != nil {
		t.Fatal(err)
	}
	port := inputtest.FreeUDPPort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { udp { host => "127.0.0.1" port => %d workers => 1 codec => netflow } }
output { stdout { codec => json_lines } }`, port), "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	p.Stderr.WaitFor(t, "UDP listener started", 60*time.Second)

	// The names each version gives source, destination, ports, protocol,
	// packets and bytes.
	names := map[int][]string{
		5:  {"ipv4_src_addr", "l4_src_port", "ipv4_dst_addr", "l4_dst_port", "protocol", "in_pkts", "in_bytes"},
		9:  {"ipv4_src_addr", "l4_src_port", "ipv4_dst_addr", "l4_dst_port", "protocol", "in_pkts", "in_bytes"},
		10: {"sourceIPv4Address", "sourceTransportPort", "destinationIPv4Address", "destinationTransportPort", "protocolIdentifier", "packetDeltaCount", "octetDeltaCount"},
	}
	events := map[int]int{5: 2, 9: 3, 10: 3}
	seen := 0
	for _, version := range []int{5, 9, 10} {
		// Without a control socket (-c none): softflowd can otherwise wait
		// on it for a connection after the file is read.
		cmd := exec.Command(softflowd, "-r", pcap, "-n", fmt.Sprintf("127.0.0.1:%d", port), "-v", fmt.Sprint(version), "-d",
			"-p", filepath.Join(dir, "pid"), "-c", "none")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("softflowd -v %d: %v\n%s", version, err, out)
		}
		// v9 and IPFIX also send an options record (softflowd's sampling).
		lines := p.Stdout.WaitN(t, seen+events[version], 60*time.Second)
		var flows, options []string
		for _, line := range lines[seen:] {
			var e struct{ Netflow map[string]any }
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			if v := e.Netflow["version"]; v != float64(version) {
				t.Errorf("v%d: version %v in %s", version, v, line)
			}
			if _, ok := e.Netflow[names[version][0]]; !ok {
				options = append(options, line)
				continue
			}
			var parts []string
			for _, name := range names[version] {
				parts = append(parts, fmt.Sprint(e.Netflow[name]))
			}
			flows = append(flows, strings.Join(parts, " "))
		}
		seen = len(lines)
		if len(options) != events[version]-2 {
			t.Errorf("v%d options records: %v", version, options)
		}
		for _, line := range options {
			// softflowd samples every packet: interval 1.
			if !strings.Contains(line, map[int]string{9: `"sampling_interval":1,`, 10: `"samplingPacketInterval":1,`}[version]) {
				t.Errorf("v%d options record %s", version, line)
			}
		}
		sort.Strings(flows)
		want := []string{"10.1.0.1 5000 10.2.0.2 53 17 3 300", "10.1.0.3 6000 10.2.0.4 123 17 2 96"}
		if strings.Join(flows, "\n") != strings.Join(want, "\n") {
			t.Errorf("v%d flows:\n%s\nwant:\n%s", version, strings.Join(flows, "\n"), strings.Join(want, "\n"))
		}
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
	for _, bad := range []string{"Can't (yet) decode", "Invalid", "Unsupported"} {
		if strings.Contains(p.Stderr.String(), bad) {
			t.Errorf("gostash logged %q:\n%s", bad, p.Stderr)
		}
	}
}
