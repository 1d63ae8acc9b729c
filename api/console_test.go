package api

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intelstream/intelstream/topology"
)

// chromium returns the path of a Chromium or Chrome program; without one
// the test skips, unless CI=true, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium program in PATH (the Debian package chromium)")
	}
	t.Skip("no chromium program in PATH (the Debian package chromium)")
	return ""
}

// TestConsoleInBrowser loads the web console in headless Chromium, enters
// an operate token, and pauses and resumes a node with the page's buttons:
// the page shows every node with its state, and the Controller's node
// really pauses and resumes.
func TestConsoleInBrowser(t *testing.T) {
	exe := chromium(t)
	f := start(t)

	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // containers run tests as root
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-gpu", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	// The state cell of a node's row and the row itself, by the ids and
	// data attributes the page sets.
	stateSel := func(node string) string { return fmt.Sprintf(`#node-%s td.state`, node) }
	rowInState := func(node string, st topology.NodeState) string {
		return fmt.Sprintf(`#node-%s[data-state="%s"]`, node, st)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), testTokens[RoleOperate].Secret),
		chromedp.Click(chromedp.CSS(`#save-token`)),
		chromedp.WaitVisible(chromedp.CSS(`#node-out`)),
	)
	if err != nil {
		t.Fatalf("loading the console: %v", err)
	}

	// Every node is listed with its state.
	for _, name := range f.ctl.Nodes() {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(rowInState(name, topology.StateRunning)))); err != nil {
			t.Fatalf("node %s: %v", name, err)
		}
		state, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(stateSel(name))))
		if err != nil {
			t.Fatalf("node %s: %v", name, err)
		}
		if state != string(topology.StateRunning) {
			t.Fatalf("node %s shows %q", name, state)
		}
	}
	if title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#topology`))); err != nil || title != "apitest" {
		t.Fatalf("topology name %q: %v", title, err)
	}

	// Pause with the page's button: the page and the Controller agree.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#node-tag button[data-action="pause"]`)),
		chromedp.WaitVisible(chromedp.CSS(rowInState("tag", topology.StatePaused))),
	); err != nil {
		t.Fatalf("pause: %v", err)
	}
	if st, err := f.ctl.Status("tag"); err != nil || st.State != topology.StatePaused {
		t.Fatalf("after the pause button the Controller says %+v, %v", st, err)
	}
	// A paused node processes nothing: sent events wait in the broker.
	f.send(t, 3)
	time.Sleep(300 * time.Millisecond)
	if n := f.out.distinct(); n != 0 {
		t.Fatalf("%d events passed the paused node", n)
	}
	if msg, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#msg`))); err != nil || msg != "" {
		t.Fatalf("the page shows an error %q (%v)", msg, err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#node-tag button[data-action="resume"]`)),
		chromedp.WaitVisible(chromedp.CSS(rowInState("tag", topology.StateRunning))),
	); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if st, err := f.ctl.Status("tag"); err != nil || st.State != topology.StateRunning {
		t.Fatalf("after the resume button the Controller says %+v, %v", st, err)
	}
	waitFor(t, "the held events to drain", func() bool { return f.out.distinct() == 3 })
}

// TestConsoleRefusesReadToken checks the page reports the API's refusal
// when the token's role is too low for an action.
func TestConsoleRefusesReadToken(t *testing.T) {
	exe := chromium(t)
	f := start(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.SendKeys(chromedp.CSS(`#token`), testTokens[RoleRead].Secret),
		chromedp.Click(chromedp.CSS(`#save-token`)),
		chromedp.WaitVisible(chromedp.CSS(`#node-tag[data-state="running"]`)),
		chromedp.Click(chromedp.CSS(`#node-tag button[data-action="pause"]`)),
	)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("msg").textContent.includes("needs operate")`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the page does not show the refusal: %v", err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#msg`)))
	if st, _ := f.ctl.Status("tag"); st.State != topology.StateRunning {
		t.Fatalf("a read token paused the node: %+v (page: %q)", st, msg)
	}
}
