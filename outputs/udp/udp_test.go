package udp

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	o := outtest.New(t, Spec, New, raw)
	return o
}

func TestDatagrams(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	e := &dho.Event{}
	for k, v := range map[string]any{"source.ip": []string{"192.0.2.1", "192.0.2.2"}, "source.port": 80, "comment": "tab\there\u200b", "raw": []byte("x")} {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"header": "intel "}, `intel {"comment": "tab\there", "extra.dho.source.ip": ["192.0.2.2"], "source.ip": "192.0.2.1", "source.port": 80}` + "\n"},
		{map[string]any{"format": "delimited", "header": "H", "field_delimiter": ";"}, "H;comment:tabhere;source.ip:192.0.2.1,192.0.2.2;source.port:80\n"},
		{map[string]any{"format": "delimited", "header": "", "keep_raw_field": true}, "|comment:tabhere|raw:eA==|source.ip:192.0.2.1,192.0.2.2|source.port:80\n"},
	} {
		tc.raw["udp_host"], tc.raw["udp_port"] = "127.0.0.1", port
		o := newOutput(t, tc.raw)
		if err := o.Write(context.Background(), []*dho.Event{e}); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 65536)
		pc.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != tc.want {
			t.Errorf("%v:\n%q\nwant\n%q", tc.raw, buf[:n], tc.want)
		}
	}
}

// A receiver that is gone is reported by the kernel (port unreachable) on
// a later send: the batch fails as transient and is sent again once the
// receiver is back. What went out before the refusal was noticed is lost:
// UDP has no acknowledgements.
func TestRefusedIsTransient(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	o := newOutput(t, map[string]any{"udp_host": "127.0.0.1", "udp_port": port})
	var err2 error
	for range 20 {
		if err2 = o.Write(context.Background(), outtest.Events(t, 2)); err2 != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !topology.IsTransient(err2) {
		t.Errorf("got %v, want transient", err2)
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{}, Param: "udp_port"},
		{Raw: map[string]any{"udp_port": 0}, Param: "udp_port"},
		{Raw: map[string]any{"udp_port": 9, "format": "xml"}, Param: "format"},
		{Raw: map[string]any{"udp_port": 9, "udp_host": ""}, Param: "udp_host"},
	})
}
