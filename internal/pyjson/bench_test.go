package pyjson

import (
	"encoding/json"
	"testing"
)

var sink []byte

func BenchmarkAppendString(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"ascii60", "https://malware.example.com/download/payload.exe?id=1234567"},
		{"escapes60", "C:\\Users\\victim\\AppData\\\"evil\".exe\tline1\nline2\x01 /x"},
		{"nonascii60", "Grüße aus Wien, Österreich – Ärger über Spam 😀 ünd mehr"},
	} {
		for _, ascii := range []bool{false, true} {
			name := bc.name + "/ensure_ascii=False"
			if ascii {
				name = bc.name + "/ensure_ascii=True"
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(bc.s)))
				buf := make([]byte, 0, 256)
				for b.Loop() {
					buf = AppendString(buf[:0], bc.s, ascii)
				}
				sink = buf
			})
		}
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	for _, bc := range []struct {
		name string
		f    float64
	}{{"48.2", 48.2}, {"100.0", 100}, {"1e-05", 1e-05}, {"1.7976931348623157e+308", 1.7976931348623157e308}} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = AppendFloat(buf[:0], bc.f)
			}
			sink = buf
		})
	}
}

// BenchmarkDecodeEvent decodes a typical flat 20-member IntelMQ event.
func BenchmarkDecodeEvent(b *testing.B) {
	b.Run("pull", func(b *testing.B) {
		b.SetBytes(int64(len(testEvent)))
		b.ReportAllocs()
		var d Decoder
		ev := event{strs: map[string]string{}}
		for b.Loop() {
			d.Reset(testEvent)
			if err := decodeEvent(&d, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pull-discard", func(b *testing.B) {
		// Reads every value with the typed readers but stores nothing: the
		// decoder's own share of "pull" (which also fills a map).
		b.SetBytes(int64(len(testEvent)))
		b.ReportAllocs()
		var d Decoder
		for b.Loop() {
			d.Reset(testEvent)
			if err := readAll(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pull-skip", func(b *testing.B) {
		// Validation only: the floor for any pull-API consumer.
		b.SetBytes(int64(len(testEvent)))
		b.ReportAllocs()
		var d Decoder
		for b.Loop() {
			d.Reset(testEvent)
			if err := d.Skip(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(testEvent)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Unmarshal(testEvent); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-map", func(b *testing.B) {
		b.SetBytes(int64(len(testEvent)))
		b.ReportAllocs()
		data := []byte(testEvent)
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncodeEvent writes the same event back, sorted, as IntelMQ does.
func BenchmarkEncodeEvent(b *testing.B) {
	v, err := Unmarshal(testEvent)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Append", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, _ = Append(buf[:0], v, Options{})
		}
		sink = buf
	})
	b.Run("encoding-json-map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = json.Marshal(v)
		}
	})
}

// readAll reads the next value with the typed readers, discarding it.
func readAll(d *Decoder) error {
	var err error
	switch d.Kind() {
	case Object:
		if err = d.BeginObject(); err != nil {
			return err
		}
		for {
			_, ok, err := d.NextMember()
			if err != nil || !ok {
				return err
			}
			if err = readAll(d); err != nil {
				return err
			}
		}
	case Array:
		if err = d.BeginArray(); err != nil {
			return err
		}
		for {
			ok, err := d.NextElem()
			if err != nil || !ok {
				return err
			}
			if err = readAll(d); err != nil {
				return err
			}
		}
	case String:
		_, err = d.String()
	case Number:
		_, err = d.Float()
	default:
		err = d.Skip()
	}
	return err
}
