package notifyex_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/examples/internal/exrun"
	"github.com/intelstream/intelstream/examples/notify/notifyex"
)

// TestOneMailPerContact runs the example on the embedded broker with its
// in-process mail sink: each of the three members gets one mail listing
// their events; the event outside the constituency gets none.
func TestOneMailPerContact(t *testing.T) {
	var out syncbuf.Buffer
	top, err := notifyex.Build(map[string]string{"interval": "1s"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := exrun.UntilIdle(ctx, top, 3*time.Second, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	mails := strings.Split(out.String(), "=== mail to ")[1:]
	want := map[string]string{
		"cert@energy.example": "4 security events",
		"soc@water.example":   "2 security events",
		"abuse@uni.example":   "2 security events",
	}
	if len(mails) != len(want) {
		t.Fatalf("%d mails, want %d:\n%s", len(mails), len(want), out.String())
	}
	for _, m := range mails {
		to, subject, _ := strings.Cut(m, ": ")
		if !strings.HasPrefix(subject, want[to]) {
			t.Errorf("mail to %s: %q, want %q", to, strings.SplitN(subject, "\n", 2)[0], want[to])
		}
		if !strings.Contains(m, "Content-Disposition: attachment; filename=events_") {
			t.Errorf("mail to %s has no CSV attachment", to)
		}
		delete(want, to)
	}
	if strings.Contains(out.String(), "233.252.0.1") {
		t.Error("the event outside the constituency was mailed")
	}
}

func TestBadParameters(t *testing.T) {
	for params, want := range map[string]map[string]string{
		"unknown parameter": {"colour": "red"},
		"interval":          {"interval": "soon"},
		"want HOST:PORT":    {"smtp": "mail.example"},
		"no such file":      {"members": "does-not-exist.csv"},
	} {
		if _, err := notifyex.Build(want, &syncbuf.Buffer{}); err == nil || !strings.Contains(err.Error(), params) {
			t.Errorf("%v: %v, want an error with %q", want, err, params)
		}
	}
}
