// Package file is the file collector: it turns files in a folder (or one
// file) into reports, once or by watching the folder, as IntelMQ's file
// collector does.
package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/memo"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "file-collector"

// Spec is the node spec of the file collector.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindCollector,
	Doc:     "Reads files (one file, or the files of a folder ending in postfix) into reports: raw is the file's content, extra.file_name its name.",
	IntelMQ: "intelmq.bots.collectors.file.collector_file",
	Params: []topology.Param{
		{Name: "path", Type: topology.ParamString, Required: true, Doc: "A file, or a folder whose files are read.", Example: "/var/lib/feeds/shadowserver"},
		{Name: "postfix", Type: topology.ParamString, Default: "", Doc: "In a folder, read only the files whose name ends with this.", Example: ".csv"},
		{Name: "interval", Type: topology.ParamDuration, Default: "0s", Doc: "Look for new or changed files this often; 0 reads once and stops.", Runtime: true},
		{Name: "delete_file", Type: topology.ParamBool, Default: false, Doc: "Delete each file once its report is safely in the broker."},
		{Name: "move_to", Type: topology.ParamString, Doc: "Move each file into this folder once its report is safely in the broker."},
		{Name: "feed_name", Type: topology.ParamString, IntelMQ: "name", Doc: "feed.name of the reports."},
		{Name: "feed_provider", Type: topology.ParamString, IntelMQ: "provider", Doc: "feed.provider of the reports."},
		{Name: "feed_code", Type: topology.ParamString, IntelMQ: "code", Doc: "feed.code of the reports."},
		{Name: "feed_documentation", Type: topology.ParamString, IntelMQ: "documentation", Doc: "feed.documentation of the reports."},
		{Name: "feed_accuracy", Type: topology.ParamFloat, IntelMQ: "accuracy", Doc: "feed.accuracy of the reports (0 to 100)."},
	},
	Produces: []string{"raw", "extra.file_name", "time.observation", "feed.name", "feed.provider"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Collector reads files into reports.
type Collector struct {
	path, postfix string
	interval      time.Duration
	deleteFile    bool
	moveTo        string
	feed          map[string]any
	now           func() time.Time
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	c := &Collector{path: p.String("path"), postfix: p.String("postfix"), interval: p.Duration("interval"),
		deleteFile: p.Bool("delete_file"), moveTo: p.String("move_to"), feed: map[string]any{}, now: time.Now}
	if c.deleteFile && c.moveTo != "" {
		return nil, fmt.Errorf("%s: delete_file and move_to exclude each other", Name)
	}
	if c.moveTo != "" {
		if st, err := os.Stat(c.moveTo); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: move_to %q is not a folder", Name, c.moveTo)
		}
	}
	for param, field := range map[string]string{"feed_name": "feed.name", "feed_provider": "feed.provider", "feed_code": "feed.code", "feed_documentation": "feed.documentation", "feed_accuracy": "feed.accuracy"} {
		if p.Has(param) {
			c.feed[field] = p[param]
		}
	}
	// Check the feed values once, here, rather than on every report.
	var r dho.Report
	for field, v := range c.feed {
		if err := r.Set(field, v); err != nil {
			return nil, fmt.Errorf("%s: %w", Name, err)
		}
	}
	if _, err := os.Stat(c.path); err != nil {
		return nil, fmt.Errorf("%s: path: %w", Name, err)
	}
	return c, nil
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// Run emits a report per file; with an interval, it keeps looking for new
// or changed files (by size and modification time) until ctx ends.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	// seen is path → size and modification time of what was sent. A
	// watching collector (an interval) keeps it in the node's state
	// directory, so that a restarted one does not send unchanged files
	// again; a collector that reads once sends every file each run.
	seen := map[string]string{}
	m := &memo.File{}
	if c.interval > 0 {
		m = memo.Open(ctx, "file-seen")
		if err := m.Load(&seen); err != nil {
			return err
		}
	}
	var done []string
	for {
		files, err := c.files()
		if err != nil {
			return err
		}
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				continue // gone since listed
			}
			stamp := fmt.Sprint(st.Size(), st.ModTime().UnixNano())
			if seen[f] == stamp {
				continue
			}
			r, err := c.report(f)
			if err != nil {
				return err
			}
			if err := emit(r); err != nil {
				return err
			}
			seen[f] = stamp
			done = append(done, f)
		}
		if err := c.discard(ctx, done); err != nil {
			return err
		}
		if len(done) > 0 && c.interval > 0 && !c.deleteFile && c.moveTo == "" {
			if err := topology.Flush(ctx); err != nil {
				return fmt.Errorf("%s: reports not acknowledged: %w", Name, err)
			}
			for f := range seen {
				if _, err := os.Stat(f); os.IsNotExist(err) {
					delete(seen, f) // gone: forget it
				}
			}
			if err := m.Save(seen); err != nil {
				return err
			}
		}
		done = done[:0]
		if c.interval <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(c.interval):
		}
	}
}

// discard deletes or moves the files whose reports were emitted, once the
// broker has them all (topology.Flush), so that a crash in between loses
// nothing: the files are read again.
func (c *Collector) discard(ctx context.Context, files []string) error {
	if len(files) == 0 || (!c.deleteFile && c.moveTo == "") {
		return nil
	}
	if err := topology.Flush(ctx); err != nil {
		return fmt.Errorf("%s: reports not acknowledged, files kept: %w", Name, err)
	}
	for _, f := range files {
		var err error
		if c.deleteFile {
			err = os.Remove(f)
		} else {
			err = os.Rename(f, filepath.Join(c.moveTo, filepath.Base(f)))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", Name, err)
		}
	}
	return nil
}

func (c *Collector) files() ([]string, error) {
	st, err := os.Stat(c.path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{c.path}, nil
	}
	entries, err := os.ReadDir(c.path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), c.postfix) {
			out = append(out, filepath.Join(c.path, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

func (c *Collector) report(path string) (*dho.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := &dho.Report{Raw: data}
	for field, v := range c.feed {
		if err := r.Set(field, v); err != nil {
			return nil, err
		}
	}
	if err := r.Set("extra.file_name", filepath.Base(path)); err != nil {
		return nil, err
	}
	now := c.now()
	if err := r.Set("time.observation", now); err != nil {
		return nil, err
	}
	return r, nil
}
