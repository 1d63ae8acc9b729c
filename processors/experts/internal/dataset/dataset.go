// Package dataset holds the local data of a lookup expert (a database file,
// a list of networks, a table): loaded at construction, swapped atomically on
// Reload, reloaded when its files change, and dated for health checks.
//
// Change detection is lazy: Get looks at the files' modification times at
// most once per check interval and, when one changed, reloads in the
// background while lookups go on with the old data. So no goroutine runs
// while nothing happens, and a node needs no Close.
package dataset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
)

// Loader reads the data. It returns the data and when the data was produced
// (zero: the newest modification time of the files is used).
type Loader[T any] func(ctx context.Context) (*T, time.Time, error)

// Options configure a Set.
type Options struct {
	// Name names the data in errors and logs (the node kind).
	Name string
	// Files are the files the data comes from; a change of any of them
	// triggers a reload. None: the data is reloaded every CheckEvery
	// instead (a database table).
	Files []string
	// CheckEvery is how often Get looks for changes (0: 10s; <0: never).
	CheckEvery time.Duration
	// MaxAge is the limit Health enforces (0: none).
	MaxAge time.Duration
	// Log receives reload messages (nil: discarded).
	Log *slog.Logger
}

type loaded[T any] struct {
	data     *T
	dataTime time.Time
	stamp    string // modification times and sizes of the files
}

// Set is a reloadable data set.
type Set[T any] struct {
	opt       Options
	load      Loader[T]
	cur       atomic.Pointer[loaded[T]]
	nextCheck atomic.Int64 // unix nanoseconds
	busy      atomic.Bool  // a background reload runs
	mu        sync.Mutex   // serializes loads
	now       func() time.Time
}

// Open loads the data once and returns the set; a load error is returned
// as it is (the expert's constructor reports it).
func Open[T any](ctx context.Context, opt Options, load Loader[T]) (*Set[T], error) {
	if opt.CheckEvery == 0 {
		opt.CheckEvery = 10 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	s := &Set[T]{opt: opt, load: load, now: time.Now}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Get returns the current data. It may start a background reload when the
// files changed.
func (s *Set[T]) Get() *T {
	if s.opt.CheckEvery > 0 {
		if now := s.now().UnixNano(); now >= s.nextCheck.Load() {
			s.nextCheck.Store(now + int64(s.opt.CheckEvery))
			if s.busy.CompareAndSwap(false, true) {
				go s.checkChanged()
			}
		}
	}
	return s.cur.Load().data
}

func (s *Set[T]) checkChanged() {
	defer s.busy.Store(false)
	if len(s.opt.Files) > 0 {
		stamp, _, err := s.stamp()
		if err != nil || stamp == s.cur.Load().stamp {
			return
		}
	}
	if err := s.Reload(context.Background()); err != nil {
		s.opt.Log.Error("reload failed; keeping the loaded data", "data", s.opt.Name, "err", err)
		return
	}
	s.opt.Log.Info("data reloaded", "data", s.opt.Name)
}

// stamp describes the files' state and returns their newest modification
// time.
func (s *Set[T]) stamp() (string, time.Time, error) {
	var stamp string
	var newest time.Time
	for _, f := range s.opt.Files {
		fi, err := os.Stat(f)
		if err != nil {
			return "", time.Time{}, err
		}
		stamp += fmt.Sprintf("%s:%d:%d;", f, fi.ModTime().UnixNano(), fi.Size())
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return stamp, newest, nil
}

// Reload loads the data now and swaps it in; on error the old data stays.
func (s *Set[T]) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stamp, newest, err := s.stamp()
	if err != nil {
		return fmt.Errorf("%s: %w", s.opt.Name, err)
	}
	data, dataTime, err := s.load(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", s.opt.Name, err)
	}
	if data == nil {
		return fmt.Errorf("%s: loader returned no data", s.opt.Name)
	}
	if dataTime.IsZero() {
		dataTime = newest
		if len(s.opt.Files) == 0 {
			dataTime = s.now()
		}
	}
	s.cur.Store(&loaded[T]{data: data, dataTime: dataTime, stamp: stamp})
	return nil
}

// DataAge returns when the loaded data was produced.
func (s *Set[T]) DataAge() (time.Time, bool) {
	l := s.cur.Load()
	if l == nil {
		return time.Time{}, false
	}
	return l.dataTime, true
}

// Health fails when the data is older than the set's MaxAge.
func (s *Set[T]) Health(context.Context) error {
	t, ok := s.DataAge()
	return freshness.Check(s.opt.Name, t, ok, s.opt.MaxAge, s.now())
}

// ErrEmpty is what loaders return for a file without any entry.
var ErrEmpty = errors.New("no entries")
