package file

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// rotation says when the file is rotated and how many rotated files stay.
type rotation struct {
	size  int64
	every time.Duration
	keep  int
}

func (r rotation) enabled() bool { return r.size > 0 || r.every > 0 }

// due reports whether the file must rotate before n more bytes go in: it
// would grow past the size limit (an empty file takes any batch), or it is
// older than the interval.
func (r rotation) due(size, n int64, opened, now time.Time) bool {
	if size == 0 {
		return false
	}
	return r.size > 0 && size+n > r.size || r.every > 0 && now.Sub(opened) >= r.every
}

// rotatedName is the name a file gets when rotated at t: the stem, the
// UTC time, then the extensions (events.jsonl.gz becomes
// events-20260314T092653Z.jsonl.gz); a number follows the time when
// that name is taken.
func rotatedName(path string, t time.Time) string {
	dir, base := filepath.Split(path)
	stem, ext, _ := strings.Cut(base, ".")
	if ext != "" {
		ext = "." + ext
	}
	stamp := t.UTC().Format("20060102T150405Z")
	name := filepath.Join(dir, stem+"-"+stamp+ext)
	for i := 1; ; i++ {
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			return name
		}
		name = filepath.Join(dir, fmt.Sprintf("%s-%s.%d%s", stem, stamp, i, ext))
	}
}

// rotate closes the file, renames it and opens a new one; then it deletes
// the oldest rotated files beyond max_files.
func (o *Output) rotate() error {
	if err := o.f.Close(); err != nil {
		return err
	}
	o.f, o.w = nil, nil
	if err := os.Rename(o.path, rotatedName(o.path, o.now())); err != nil {
		return err
	}
	if err := o.open(); err != nil {
		return err
	}
	if o.rot.keep > 0 {
		return prune(o.path, o.rot.keep)
	}
	return nil
}

// prune deletes the oldest rotated files of path beyond keep.
func prune(path string, keep int) error {
	dir, base := filepath.Split(path)
	stem, ext, _ := strings.Cut(base, ".")
	if ext != "" {
		ext = "." + ext
	}
	matches, err := filepath.Glob(filepath.Join(dir, stem+"-*"+ext))
	if err != nil {
		return err
	}
	var rotated []string
	for _, m := range matches {
		mid := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), stem+"-"), ext)
		if len(mid) >= 16 && mid[8] == 'T' && mid[15] == 'Z' {
			rotated = append(rotated, m)
		}
	}
	// The names sort by time (and by the number after equal times, for
	// fewer than ten in one second).
	slices.Sort(rotated)
	for len(rotated) > keep {
		if err := os.Remove(rotated[0]); err != nil {
			return err
		}
		rotated = rotated[1:]
	}
	return nil
}
