package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

func zipOf(files ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		w, _ := zw.Create(files[i])
		w.Write([]byte(files[i+1]))
	}
	zw.Close()
	return buf.Bytes()
}

func tarOf(files ...string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		tw.WriteHeader(&tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[i+1]))
	}
	tw.Close()
	return buf.Bytes()
}

func gzipOf(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func describe(files []File) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, f.Name+"="+string(f.Data))
	}
	return strings.Join(parts, "|")
}

func TestExtract(t *testing.T) {
	bomb := gzipOf(bytes.Repeat([]byte{'a'}, 1<<20))
	for _, tc := range []struct {
		name string
		data []byte
		o    Options
		want string
		err  error
	}{
		{"zip", zipOf("a", "1", "d/", "", "b", "2"), All(0), "a=1|b=2", nil},
		{"tar", tarOf("a", "1", "b", "2"), All(0), "a=1|b=2", nil},
		{"tar.gz", gzipOf(tarOf("a", "1")), All(0), "a=1", nil},
		{"gzip", gzipOf([]byte("plain")), All(0), "=plain", nil},
		{"names", zipOf("a", "1", "b", "2"), Options{Zip: true, Names: []string{"b"}}, "b=2", nil},
		{"zip only", tarOf("a", "1"), Options{Zip: true}, "", ErrNotArchive},
		{"text", []byte("ip\n192.0.2.1\n"), All(0), "", ErrNotArchive},
		{"empty", nil, All(0), "", ErrNotArchive},
		{"empty tar", tarOf(), All(0), "", nil},
		{"bomb", bomb, All(1000), "", ErrTooLarge},
		{"zip bomb", zipOf("a", strings.Repeat("x", 5000)), All(1000), "", ErrTooLarge},
		{"within the limit", zipOf("a", "12345", "b", "12345"), All(10), "a=12345|b=12345", nil},
		{"over the limit in all", zipOf("a", "12345", "b", "123456"), All(10), "", ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Extract(tc.data, tc.o)
			if !errors.Is(err, tc.err) || (tc.err != nil) != (err != nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if got := describe(files); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzExtract: arbitrary bytes never panic and never unpack beyond the
// limit.
func FuzzExtract(f *testing.F) {
	f.Add(zipOf("a", "1", "b", "2"))
	f.Add(tarOf("a", "1"))
	f.Add(gzipOf(tarOf("a", "1")))
	f.Add(gzipOf([]byte("x")))
	f.Add([]byte("BZh91AY&SY"))
	f.Add([]byte("plain text"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 20
		files, err := Extract(data, All(limit))
		if err != nil {
			return
		}
		total := 0
		for _, file := range files {
			total += len(file.Data)
		}
		if total > limit {
			t.Fatalf("%d bytes unpacked, limit %d", total, limit)
		}
	})
}
