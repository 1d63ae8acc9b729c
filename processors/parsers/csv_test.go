package parsers

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string, d CSVDialect) ([][]string, []CSVRecord) {
	t.Helper()
	r := NewCSVReader([]byte(in), d)
	var fields [][]string
	var recs []CSVRecord
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return fields, recs
		}
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var fs []string
		if len(rec.Fields) > 0 {
			fs = append(fs, rec.Fields...)
		}
		fields = append(fields, fs)
		recs = append(recs, rec)
	}
}

// TestCSVReaderLikePython holds records as Python's csv.reader (unix
// dialect, non-strict) gives them for the same input.
func TestCSVReaderLikePython(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want [][]string
	}{
		{"a,b\nc,d", [][]string{{"a", "b"}, {"c", "d"}}},
		{"\"ab\"c,d\"e\"\n\"x\ny\",z\n \n\n1", [][]string{{"abc", "d\"e\""}, {"x\ny", "z"}, {" "}, nil, {"1"}}},
		{"a,\nb", [][]string{{"a", ""}, {"b"}}},
		{"\"unterminated\nx", [][]string{{"unterminated\nx"}}},
		{"a,\"b\"x,c", [][]string{{"a", "bx", "c"}}},
		{"\"a\"\"b\",\"\"", [][]string{{"a\"b", ""}}},
		{"a\rb\r\nc", [][]string{{"a"}, {"b"}, {"c"}}},
		{"\"q\r\nr\",s", [][]string{{"q\r\nr", "s"}}},
		{"\n\n  a,b  \n\n", [][]string{{"a", "b"}}}, // stripped first, as IntelMQ does
		{"a\x00b,c", [][]string{{"ab", "c"}}},       // NUL removed, as IntelMQ does
		{"", nil},
	} {
		got, _ := readAll(t, tc.in, UnixDialect)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVReaderPositions(t *testing.T) {
	_, recs := readAll(t, "\n\nh1,h2\n\"a\nb\",c\r\nd,e", UnixDialect)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for i, want := range []struct {
		line int
		text string
	}{{3, "h1,h2\n"}, {4, "\"a\nb\",c\r\n"}, {6, "d,e"}} {
		if recs[i].Line != want.line || string(recs[i].Text) != want.text {
			t.Errorf("record %d: line %d text %q, want %d %q", i, recs[i].Line, recs[i].Text, want.line, want.text)
		}
	}
}

func TestCSVReaderErrors(t *testing.T) {
	long := strings.Repeat("x", MaxCSVField+1)
	r := NewCSVReader([]byte("a\n"+long+"\nb\n\xff\xfe\nc"), UnixDialect)
	var errs, ok int
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs++
		} else {
			ok++
		}
	}
	if errs != 2 || ok != 3 {
		t.Errorf("%d records, %d errors; want 3 and 2", ok, errs)
	}
	r = NewCSVReader([]byte(long), UnixDialect)
	if _, err := r.Next(); !errors.Is(err, ErrCSVField) {
		t.Errorf("long field: %v", err)
	}
}

func TestLineEnding(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb":       "\n",
		"a\r\nb\r\n": "\r\n",
		"a\rb":       "\r",
		"a\nb\r\nc":  "\r\n", // mixed: the csv module's default
		"a":          "\r\n",
	} {
		if got := NewCSVReader([]byte(in), UnixDialect).LineEnding(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestAppendCSVRow(t *testing.T) {
	row := []string{"a b", " x", "", "a,b", `q"`, "l\nx", "\r"}
	if got, want := string(AppendCSVRow(nil, row, ExcelDialect, "\n")), "a b, x,,\"a,b\",\"q\"\"\",\"l\nx\",\r\n"; got != want {
		t.Errorf("minimal: %q, want %q", got, want)
	}
	if got, want := string(AppendCSVRow(nil, []string{""}, ExcelDialect, "\n")), "\"\"\n"; got != want {
		t.Errorf("one empty field: %q, want %q", got, want)
	}
	if got, want := string(AppendCSVRow(nil, []string{"a", `b"`, ""}, UnixDialect, "\r\n")), "\"a\",\"b\"\"\",\"\"\r\n"; got != want {
		t.Errorf("all: %q, want %q", got, want)
	}
}

func TestCSVRaw(t *testing.T) {
	raw := NewCSVRaw([]string{"timestamp", "ip"}, UnixDialect, "\n")
	if got, want := string(raw.Row([]byte("2018-08-01T00:00:00+00,127.0.0.1  \n"))), "\"timestamp\",\"ip\"\n2018-08-01T00:00:00+00,127.0.0.1"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// FuzzCSVReader: any input is read without panic, the records' texts put
// together give back the input as prepared (stripped, without NUL), every
// field is at most as long as its record, and the quick path for usual
// lines reads what the general reader reads.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"a,b\nc,d", "\"ab\"c,d\"e\"\n\"x\ny\",z\n \n\n1", "\"q\r\nr\",s", "a\rb\r\nc\x00", "\"a\",\"b,c\",,d\r\n\"\",\"\"\"\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewCSVReader(in, UnixDialect)
		general := NewCSVReader(in, UnixDialect)
		general.general = true
		var all bytes.Buffer
		for n := 0; ; n++ {
			rec, err := r.Next()
			grec, gerr := general.Next()
			if (err == nil) != (gerr == nil) || rec.Line != grec.Line || !bytes.Equal(rec.Text, grec.Text) || !slices.Equal(rec.Fields, grec.Fields) {
				t.Fatalf("record %d: quick %+v %v, general %+v %v", n, rec, err, grec, gerr)
			}
			if err == io.EOF {
				break
			}
			if n > len(in)+1 {
				t.Fatal("more records than bytes")
			}
			all.Write(rec.Text)
			for _, fld := range rec.Fields {
				if len(fld) > len(rec.Text) {
					t.Fatalf("field %q longer than record %q", fld, rec.Text)
				}
			}
		}
		start, end := PyStrip(in)
		want := bytes.ReplaceAll(in[start:end], []byte{0}, nil)
		if !bytes.Equal(all.Bytes(), want) {
			t.Fatalf("records give %q, want %q", all.Bytes(), want)
		}
	})
}

// TestCSVQuickPathAgrees reads random inputs with and without the quick
// path for usual lines: the records (fields, text, line numbers, errors)
// must be the same.
func TestCSVQuickPathAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 4))
	alphabet := []string{"a", "b", "1", ",", ";", "\"", "\"\"", " ", "\n", "\r\n", "\r", "é", "\t", "x,y", "\"q\""}
	dialects := []CSVDialect{ExcelDialect, UnixDialect,
		{Delimiter: ';', Quote: '"', DoubleQuote: true, SkipInitialSpace: true},
		{Delimiter: ',', Quote: '\'', DoubleQuote: false},
		{Delimiter: '|'}, {Delimiter: '\t', Quote: '"', DoubleQuote: true}}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		if r.IntN(4) == 0 {
			b.WriteString("\xff") // not UTF-8
		}
		d := dialects[r.IntN(len(dialects))]
		quick, general := NewCSVReader([]byte(b.String()), d), NewCSVReader([]byte(b.String()), d)
		general.general = true
		for n := 0; ; n++ {
			qr, qerr := quick.Next()
			gr, gerr := general.Next()
			if (qerr == nil) != (gerr == nil) || (qerr != nil && qerr.Error() != gerr.Error()) ||
				qr.Line != gr.Line || string(qr.Text) != string(gr.Text) || !slices.Equal(qr.Fields, gr.Fields) {
				t.Fatalf("%q (dialect %+v) record %d:\nquick   %+v %v\ngeneral %+v %v", b.String(), d, n, qr, qerr, gr, gerr)
			}
			if qerr == io.EOF {
				break
			}
		}
	}
}
