package file

import (
	"bytes"
	"compress/gzip"

	"github.com/klauspost/compress/zstd"
)

// compressor turns a batch's lines into one self-contained compressed
// member: gzip members and zstd frames may follow each other in one file,
// and zcat and zstdcat read them all.
type compressor interface {
	compress(dst *bytes.Buffer, data []byte) error
}

func newCompressor(kind string) compressor {
	switch kind {
	case "gzip":
		return &gzipComp{}
	case "zstd":
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1)) // no options that can fail
		return &zstdComp{enc: enc}
	}
	return nil
}

type gzipComp struct{ w *gzip.Writer }

func (g *gzipComp) compress(dst *bytes.Buffer, data []byte) error {
	if g.w == nil {
		g.w = gzip.NewWriter(dst)
	} else {
		g.w.Reset(dst)
	}
	if _, err := g.w.Write(data); err != nil {
		return err
	}
	return g.w.Close()
}

type zstdComp struct{ enc *zstd.Encoder }

func (z *zstdComp) compress(dst *bytes.Buffer, data []byte) error {
	dst.Write(z.enc.EncodeAll(data, nil))
	return nil
}
