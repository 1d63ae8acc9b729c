// Package archive unpacks what collectors download or receive: zip, tar
// (plain, gzip or bzip2 compressed) and gzip, tried in that order as
// IntelMQ's unzip does, with a bound on the bytes unpacked so that a small
// hostile archive cannot exhaust memory.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// File is one unpacked file. Name is its path inside the archive; it is
// "" for the content of a plain gzip file (IntelMQ gives it no name).
type File struct {
	Name string
	Data []byte
}

// Options say which formats to try and which files to keep.
type Options struct {
	// Zip, Tar and Gzip enable each format.
	Zip, Tar, Gzip bool
	// Names, when not nil, keeps only the files with these exact paths.
	Names []string
	// MaxBytes bounds the bytes unpacked in all (0: no bound).
	MaxBytes int64
}

// All tries every format and keeps every file, unpacking at most maxBytes.
func All(maxBytes int64) Options {
	return Options{Zip: true, Tar: true, Gzip: true, MaxBytes: maxBytes}
}

// ErrNotArchive says that data is none of the formats tried.
var ErrNotArchive = errors.New("not a zip, tar or gzip file")

// ErrTooLarge says that unpacking would exceed Options.MaxBytes.
var ErrTooLarge = errors.New("unpacked content exceeds the size limit")

// Extract unpacks data with the first format of zip, tar and gzip (those
// enabled in o) that reads it, and returns its files in archive order
// (directories and other non-regular entries left out). It returns
// ErrNotArchive when no format reads data.
func Extract(data []byte, o Options) ([]File, error) {
	budget := &budget{left: o.MaxBytes, bounded: o.MaxBytes > 0}
	var errs []error
	if o.Zip {
		files, err := extractZip(data, o, budget)
		if err == nil || errors.Is(err, ErrTooLarge) {
			return files, err
		}
		errs = append(errs, fmt.Errorf("zip: %w", err))
	}
	// A gzip stream is unpacked once, then tried as a tar and as plain gzip.
	var gunzipped []byte
	gzipErr := errNotTried
	if o.Tar || o.Gzip {
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			gunzipped, gzipErr = gunzip(data, budget.clone())
		} else {
			gzipErr = errors.New("no gzip header")
		}
		if errors.Is(gzipErr, ErrTooLarge) {
			return nil, gzipErr
		}
	}
	if o.Tar {
		tarData := data
		if gzipErr == nil {
			tarData = gunzipped
		} else if bytes.HasPrefix(data, []byte("BZh")) {
			b, err := readAll(bzip2.NewReader(bytes.NewReader(data)), budget.clone())
			if errors.Is(err, ErrTooLarge) {
				return nil, err
			}
			if err == nil {
				tarData = b
			}
		}
		files, err := extractTar(tarData, o, budget)
		if err == nil || errors.Is(err, ErrTooLarge) {
			return files, err
		}
		errs = append(errs, fmt.Errorf("tar: %w", err))
	}
	if o.Gzip {
		if gzipErr == nil {
			return []File{{Data: gunzipped}}, nil
		}
		errs = append(errs, fmt.Errorf("gzip: %w", gzipErr))
	}
	return nil, fmt.Errorf("%w (%w)", ErrNotArchive, errors.Join(errs...))
}

var errNotTried = errors.New("not tried")

func keep(o Options, name string) bool { return o.Names == nil || slices.Contains(o.Names, name) }

func extractZip(data []byte, o Options, b *budget) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") || !keep(o, f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		content, err := readAll(rc, b)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, File{Name: f.Name, Data: content})
	}
	return out, nil
}

func extractTar(data []byte, o Options, b *budget) ([]File, error) {
	tr := tar.NewReader(bytes.NewReader(data))
	var out []File
	for first := true; ; first = false {
		h, err := tr.Next()
		if err == io.EOF {
			if first && !isZeroBlock(data) {
				// io.EOF on the first header means the data began with an
				// end-of-archive marker or was empty: accept only the
				// former, not a short text file.
				return nil, errors.New("empty or not a tar archive")
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeCont {
			continue
		}
		if !keep(o, h.Name) {
			continue
		}
		content, err := readAll(tr, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		out = append(out, File{Name: h.Name, Data: content})
	}
}

// isZeroBlock reports whether data starts with a full zero 512-byte block,
// tar's end-of-archive marker.
func isZeroBlock(data []byte) bool {
	if len(data) < 512 {
		return false
	}
	for _, c := range data[:512] {
		if c != 0 {
			return false
		}
	}
	return true
}

func gunzip(data []byte, b *budget) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return readAll(zr, b)
}

// budget is what is left of Options.MaxBytes.
type budget struct {
	left    int64
	bounded bool
}

// clone is a budget for a trial unpacking whose bytes are counted again
// when the files come out of it.
func (b *budget) clone() *budget { c := *b; return &c }

func readAll(r io.Reader, b *budget) ([]byte, error) {
	if !b.bounded {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, b.left+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > b.left {
		return nil, ErrTooLarge
	}
	b.left -= int64(len(data))
	return data, nil
}
